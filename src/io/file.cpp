// Atomic file replacement: temp file in the target's folder, fsync, rename.
#include "mlp/io/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "mlp/error.h"

namespace mlp::io {

namespace {

// Writes `content` to a new temporary file beside `path`, flushed to disk; returns its name.
std::string write_temporary(const std::string& path, const std::string& content) {
  std::string tmp_template = path + ".tmp.XXXXXX";
  std::vector<char> tmp(tmp_template.begin(), tmp_template.end());
  tmp.push_back('\0');
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw Error(path + ": cannot write: " + std::strerror(errno));
  const char* p = content.data();
  std::size_t left = content.size();
  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.data());
    throw Error(path + ": " + what + ": " + std::strerror(err));
  };
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot flush");
  ::fchmod(fd, 0644);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.data());
    throw Error(path + ": cannot close: " + std::strerror(err));
  }
  return tmp.data();
}

}  // namespace

void check_writable(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw Error(path + ": cannot write: Is a directory");
  ::unlink(write_temporary(path, std::string()).c_str());
}

void write_file_atomic(const std::string& path, const std::string& content) {
  write_files_atomic({{path, content}});
}

void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::string> temps;
  try {
    for (const auto& [path, content] : files) temps.push_back(write_temporary(path, content));
  } catch (...) {
    for (const std::string& t : temps) ::unlink(t.c_str());
    throw;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (std::rename(temps[i].c_str(), files[i].first.c_str()) != 0) {
      int err = errno;
      for (std::size_t k = i; k < temps.size(); ++k) ::unlink(temps[k].c_str());
      throw Error(files[i].first + ": cannot replace: " + std::strerror(err));
    }
  }
}

}  // namespace mlp::io
