// Whole-file reads (a regular file is mapped, not copied: in this project's sandboxes first-touch
// page faults on fresh memory cost more than the parsing; a file truncated by another process while
// mapped would raise SIGBUS, which we accept) and atomic file replacement: temp file in the
// target's folder, fsync, rename.
#include "core/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "mlp/core/error.h"

namespace mlp::io {

// ---- reading ----------------------------------------------------------------------------------

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

void FileBytes::release(std::size_t from, std::size_t to) const {
  if (!mapped_) return;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t first = (from + page - 1) / page * page;  // whole pages only
  const std::size_t last = std::min(to, mapped_size_) / page * page;
  if (first < last) ::madvise(mapped_ + first, last - first, MADV_DONTNEED);
}

namespace detail {

std::string read_file(const std::string& path, FileBytes& out, bool populate) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return path + ": cannot open: " + std::strerror(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    return path + ": cannot open: " + std::strerror(err);
  }
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
    if (p != MAP_FAILED) {
      ::close(fd);
      out.mapped_ = static_cast<char*>(p);
      out.mapped_size_ = size;
      return {};
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
      return path + ": cannot read: " + std::strerror(err);
    }
    if (n == 0) break;
    out.read_.append(piece, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return {};
}

}  // namespace detail

// ---- writing ----------------------------------------------------------------------------------

namespace {

// Writes `content` to a new temporary file beside `path`, flushed to disk: sets `tmp` to its name
// and returns "", or returns the error message (and leaves no file).
std::string write_temporary(std::string_view path, std::string_view content, std::string& tmp) {
  std::string name = std::string(path) + ".tmp.XXXXXX";
  int fd = ::mkstemp(name.data());
  if (fd < 0) return std::string(path) + ": cannot write: " + std::strerror(errno);
  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlink(name.c_str());
    return std::string(path) + ": " + what + ": " + std::strerror(err);
  };
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot flush");
  ::fchmod(fd, 0644);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(name.c_str());
    return std::string(path) + ": cannot close: " + std::strerror(err);
  }
  tmp = std::move(name);
  return {};
}

}  // namespace

namespace detail {

std::string write_files(std::span<const std::pair<std::string_view, std::string_view>> files) {
  std::vector<std::string> temps(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (std::string error = write_temporary(files[i].first, files[i].second, temps[i]); !error.empty()) {
      for (std::size_t k = 0; k < i; ++k) ::unlink(temps[k].c_str());
      return error;
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string path(files[i].first);
    if (std::rename(temps[i].c_str(), path.c_str()) != 0) {
      int err = errno;
      for (std::size_t k = i; k < temps.size(); ++k) ::unlink(temps[k].c_str());
      return path + ": cannot replace: " + std::strerror(err);
    }
  }
  return {};
}

}  // namespace detail

void check_writable(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw Error(path + ": cannot write: Is a directory");
  std::string tmp;
  if (std::string error = write_temporary(path, {}, tmp); !error.empty()) throw Error(error);
  ::unlink(tmp.c_str());
}

}  // namespace mlp::io
