// Whole-file reads and safe writes: every file the library reads whole goes through read_file, and
// every file it writes through write_file_atomic / write_files_atomic. A write goes to a temporary
// file in the same folder, is flushed, then renamed over the target, so an existing file is never
// left half-written.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlp/core/error.h"

namespace mlp::io {

// A whole file's bytes, read-only: a private mapping of a regular file (faulted in up front by
// read_file, much cheaper than copying into fresh memory; page by page as it is read by map_file),
// or the bytes read from a pipe or the like.
class FileBytes;

namespace detail {
// read_file's and map_file's work: fills the empty `out` and returns "", or returns the error
// message. `populate`: fault the whole mapping in now.
std::string read_file(const std::string& path, FileBytes& out, bool populate = true);
// write_files_atomic's work: "" when every file is in place, else the message of the failure.
std::string write_files(std::span<const std::pair<std::string_view, std::string_view>> files);
}  // namespace detail

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
  // Lets the system take back the mapped pages that lie wholly inside bytes [from, to), once they
  // have been read (a reader going through a large file keeps only what it has yet to read
  // resident); reading them again faults them back in from the file. Does nothing for bytes read
  // from a pipe.
  void release(std::size_t from, std::size_t to) const;

 private:
  friend std::string detail::read_file(const std::string& path, FileBytes& out, bool populate);
  char* mapped_ = nullptr;
  std::size_t mapped_size_ = 0;
  std::string read_;
};

// The whole file at `path`. Throws E, the caller's error type (data::DataError for the data
// readers, SafetensorsError for safetensors), "<path>: cannot open: <reason>" (also for a folder)
// or "<path>: cannot read: <reason>".
template <typename E = Error>
FileBytes read_file(const std::string& path) {
  FileBytes bytes;
  if (std::string error = detail::read_file(path, bytes); !error.empty()) throw E(error);
  return bytes;
}

// The file at `path` mapped without reading it up front, shared so that arrays viewing its bytes
// keep it alive: pages are read when first touched (the data readers map files larger than memory
// this way). Throws as read_file.
template <typename E = Error>
std::shared_ptr<const FileBytes> map_file(const std::string& path) {
  auto bytes = std::make_shared<FileBytes>();
  if (std::string error = detail::read_file(path, *bytes, false); !error.empty()) throw E(error);
  return bytes;
}

// Writes `content` to `path` atomically, flushed to disk (fsync). Throws E (mlp::Error unless the
// caller names its own type) "<path>: cannot write: <reason>" (or cannot flush / close / replace)
// on failure; the previous file, if any, is then unchanged and no temporary file is left behind.
template <typename E = Error>
void write_file_atomic(const std::string& path, std::string_view content) {
  const std::pair<std::string_view, std::string_view> file{path, content};
  if (std::string error = detail::write_files({&file, 1}); !error.empty()) throw E(error);
}

// Writes several files as one: every content goes to a temporary file beside its target first,
// and only when all are written are they renamed into place. A failure before the renames leaves
// every existing file as it was. Throws as write_file_atomic.
template <typename E = Error>
void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files) {
  const std::vector<std::pair<std::string_view, std::string_view>> views(files.begin(), files.end());
  if (std::string error = detail::write_files(views); !error.empty()) throw E(error);
}

// Throws mlp::Error naming the path when a file could not be written there now (its folder is
// missing or not writable, or the path is a folder): creates and removes a temporary file beside
// it. A check before long work, so that it does not fail at the end.
void check_writable(const std::string& path);

}  // namespace mlp::io
