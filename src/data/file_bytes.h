// Internal to src/data: whole-file reads with the readers' error messages, and byte-order helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlp::data::detail {

// A whole file's bytes, read-only: a private mapping of a regular file (faulted in up front;
// much cheaper than copying into fresh memory), or the bytes read from a pipe or the like.
class FileBytes {
 public:
  FileBytes() = default;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&& other) noexcept;
  ~FileBytes();

  const char* data() const { return mapped_ ? mapped_ : read_.data(); }
  std::size_t size() const { return mapped_ ? mapped_size_ : read_.size(); }
  std::string_view view() const { return {data(), size()}; }

 private:
  friend FileBytes read_file(const std::string& path);
  char* mapped_ = nullptr;
  std::size_t mapped_size_ = 0;
  std::string read_;
};

// The whole file at `path`. Throws DataError "<path>: cannot open: <reason>" (also for a folder)
// or "<path>: cannot read: <reason>".
FileBytes read_file(const std::string& path);

// Reverses the byte order of n elements of `size` bytes each, in place.
void byteswap(void* data, std::size_t n, std::size_t size);

// Big-endian unsigned 32-bit value at p.
inline std::uint32_t load_be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

// Little-endian unsigned values at p.
inline std::uint32_t load_le16(const unsigned char* p) { return p[0] | (std::uint32_t(p[1]) << 8); }
inline std::uint32_t load_le32(const unsigned char* p) {
  return p[0] | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
         (std::uint32_t(p[3]) << 24);
}

}  // namespace mlp::data::detail
