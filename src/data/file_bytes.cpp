// Whole-file reads for the data readers and byte swapping. A regular file is mapped, not copied:
// in this project's sandboxes first-touch page faults on fresh memory cost more than the parsing.
// (A file truncated by another process while mapped would raise SIGBUS; we accept that.)
#include "file_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "mlp/data/error.h"

namespace mlp::data::detail {

FileBytes::FileBytes(FileBytes&& other) noexcept
    : mapped_(std::exchange(other.mapped_, nullptr)),
      mapped_size_(std::exchange(other.mapped_size_, 0)),
      read_(std::move(other.read_)) {}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  if (this != &other) {
    if (mapped_) ::munmap(mapped_, mapped_size_);
    mapped_ = std::exchange(other.mapped_, nullptr);
    mapped_size_ = std::exchange(other.mapped_size_, 0);
    read_ = std::move(other.read_);
  }
  return *this;
}

FileBytes::~FileBytes() {
  if (mapped_) ::munmap(mapped_, mapped_size_);
}

FileBytes read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DataError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    throw DataError(path + ": cannot open: " + std::strerror(err));
  }
  FileBytes bytes;
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p != MAP_FAILED) {
      ::close(fd);
      bytes.mapped_ = static_cast<char*>(p);
      bytes.mapped_size_ = size;
      return bytes;
    }
  }
  // Not mappable (a pipe, /dev/stdin, an empty or special file): read in 64 KiB pieces.
  char piece[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, piece, sizeof piece);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw DataError(path + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    bytes.read_.append(piece, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return bytes;
}

void byteswap(void* data, std::size_t n, std::size_t size) {
  if (size == 1) return;
  auto* p = static_cast<unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i, p += size) std::reverse(p, p + size);
}

}  // namespace mlp::data::detail
