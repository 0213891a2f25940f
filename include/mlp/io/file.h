// Whole-file reads and safe writes. A write goes to a temporary file in the same folder,
// is flushed, then renamed over the target, so an existing file is never left half-written.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mlp::io {

// Writes `content` to `path` atomically. Throws mlp::Error naming the path on failure;
// the previous file, if any, is then unchanged.
void write_file_atomic(const std::string& path, const std::string& content);

// Writes several files as one: every content goes to a temporary file beside its target first,
// and only when all are written are they renamed into place. A failure before the renames leaves
// every existing file as it was.
void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files);

// Throws mlp::Error naming the path when a file could not be written there now (its folder is
// missing or not writable, or the path is a folder): creates and removes a temporary file beside
// it. A check before long work, so that it does not fail at the end.
void check_writable(const std::string& path);

}  // namespace mlp::io
