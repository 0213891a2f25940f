// IDX reading: the file is mapped; plain uint8/int8 data is viewed in the mapping (pages read as
// batches touch them), wider types are copied and byte-swapped, and a gzip file is inflated with
// zlib straight into the Array's buffer (all members of a multi-member file, as gunzip does).
#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <vector>

#include "data/byte_order.h"
#include "core/file.h"

namespace mlp::data {

namespace {

// Inflates a gzip file held in memory, a piece at a time.
class Inflater {
 public:
  Inflater(const unsigned char* data, std::size_t size, const std::string& path)
      : end_(data + size), path_(path) {
    zs_.next_in = const_cast<unsigned char*>(data);  // zlib's API is not const-correct
    zs_.avail_in = 0;
    if (inflateInit2(&zs_, 15 + 16) != Z_OK) throw std::bad_alloc();  // 15 + 16: gzip wrapper
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() { inflateEnd(&zs_); }

  // Fills out[0..n) as far as the data goes; fewer than n bytes only at the end of the data.
  // Throws DataError "<path>: corrupt gzip data (...)" for a damaged or cut-off stream.
  std::size_t read(unsigned char* out, std::size_t n) {
    std::size_t produced = 0;
    while (produced < n && !done_) {
      const std::size_t left = static_cast<std::size_t>(end_ - zs_.next_in);
      if (member_ended_) {
        // Another member follows, or the file ends (bytes that are not gzip are ignored, as
        // gzip -d does after a warning).
        if (left >= 2 && zs_.next_in[0] == 0x1f && zs_.next_in[1] == 0x8b) {
          inflateReset(&zs_);
          member_ended_ = false;
        } else {
          done_ = true;
        }
        continue;
      }
      if (zs_.avail_in == 0) {
        if (left == 0) throw DataError(path_ + ": corrupt gzip data (truncated)");
        zs_.avail_in = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
      }
      zs_.next_out = out + produced;
      zs_.avail_out = static_cast<uInt>(std::min<std::size_t>(n - produced, 1u << 30));
      const uInt room = zs_.avail_out;
      const int ret = inflate(&zs_, Z_NO_FLUSH);
      produced += room - zs_.avail_out;
      if (ret == Z_STREAM_END) {
        member_ended_ = true;
      } else if (ret == Z_MEM_ERROR) {
        throw std::bad_alloc();
      } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
        throw DataError(path_ + ": corrupt gzip data" +
                        (zs_.msg ? std::string(" (") + zs_.msg + ")" : std::string()));
      }
      // Z_OK, or Z_BUF_ERROR (no progress: input used up, caught above on the next turn).
    }
    return produced;
  }

 private:
  z_stream zs_{};
  const unsigned char* end_;
  const std::string& path_;
  bool member_ended_ = false;
  bool done_ = false;
};

bool idx_type(unsigned char code, DType& dtype) {
  switch (code) {
    case 0x08: dtype = DType::u8; return true;
    case 0x09: dtype = DType::i8; return true;
    case 0x0B: dtype = DType::i16; return true;
    case 0x0C: dtype = DType::i32; return true;
    case 0x0D: dtype = DType::f32; return true;
    case 0x0E: dtype = DType::f64; return true;
    default: return false;
  }
}

// parse_idx's work; with an `owner` of `file`, plain one-byte data is viewed where it lies.
Array idx_array(std::string_view file, const std::string& path, const std::shared_ptr<const io::FileBytes>* owner) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const std::size_t size = file.size();
  const bool gzip = size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

  std::optional<Inflater> inflater;
  if (gzip) inflater.emplace(bytes, size, path);
  std::size_t offset = 0;  // plain files: bytes consumed
  auto read = [&](unsigned char* out, std::size_t n) -> std::size_t {
    if (gzip) return inflater->read(out, n);
    n = std::min(n, size - offset);
    if (n > 0) std::memcpy(out, bytes + offset, n);
    offset += n;
    return n;
  };

  unsigned char magic[4];
  DType dtype{};
  if (read(magic, 4) < 4 || magic[0] != 0 || magic[1] != 0 || !idx_type(magic[2], dtype) ||
      magic[3] == 0) {
    throw DataError(path + ": not an IDX file");
  }
  const unsigned ndim = magic[3];
  std::vector<unsigned char> dims_bytes(4 * ndim);
  if (read(dims_bytes.data(), dims_bytes.size()) < dims_bytes.size()) {
    throw DataError(path + ": truncated IDX header");
  }
  std::uint64_t rows = detail::load_be32(dims_bytes.data()), cols = 1;
  bool overflow = false;
  std::string dims = std::to_string(rows);
  for (unsigned i = 1; i < ndim; ++i) {
    const std::uint64_t d = detail::load_be32(dims_bytes.data() + 4 * i);
    overflow |= __builtin_mul_overflow(cols, d, &cols);
    dims += " x " + std::to_string(d);
  }
  if (ndim == 1) dims += " values";
  const std::size_t item = dtype_size(dtype);
  std::uint64_t elements = 0, expected = 0;
  overflow |= __builtin_mul_overflow(rows, cols, &elements);
  overflow |= __builtin_mul_overflow(elements, item, &expected);
  auto mismatch = [&](std::uint64_t held) {
    return DataError(path + ": header says " + dims + " (" +
                     (overflow ? std::string("too many") : std::to_string(expected)) +
                     " bytes) but the data holds " + std::to_string(held) + " bytes");
  };

  std::vector<std::byte> data;
  if (!gzip) {
    const std::size_t held = size - offset;
    if (overflow || held != expected) throw mismatch(held);
    if (owner && item == 1) return Array::view(dtype, rows, cols, bytes + offset, *owner);
    data.resize(held);
    if (held > 0) std::memcpy(data.data(), bytes + offset, held);
  } else {
    // Deflate expands at most 1032:1, so a header that claims more than that cannot be right:
    // allocate no more than the data could hold, and count what there is.
    const std::uint64_t bound = std::uint64_t(size) * 1032 + (1u << 20);
    const std::uint64_t wanted = overflow ? bound : std::min(expected, bound);
    data.resize(wanted);
    std::size_t held = read(reinterpret_cast<unsigned char*>(data.data()), data.size());
    std::uint64_t extra = 0;
    if (held == data.size()) {
      unsigned char rest[1 << 16];
      while (std::size_t n = read(rest, sizeof rest)) extra += n;
    }
    if (overflow || held + extra != expected) throw mismatch(held + extra);
  }
  Array array(dtype, rows, cols, std::move(data));
  if (std::endian::native == std::endian::little)
    detail::byteswap(array.bytes(), array.size(), item);
  return array;
}

}  // namespace

Array read_idx(const std::string& path) { return read_idx(io::map_file<DataError>(path), path); }

Array read_idx(std::shared_ptr<const io::FileBytes> file, const std::string& path) {
  return idx_array(file->view(), path, &file);
}

Array parse_idx(std::string_view file, const std::string& path) { return idx_array(file, path, nullptr); }

}  // namespace mlp::data
