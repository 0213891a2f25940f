// Whole-file reads and safe writes. A write goes to a temporary file in the same folder,
// is flushed, then renamed over the target, so an existing file is never left half-written.
#pragma once

#include <string>

namespace mlp::io {

// Writes `content` to `path` atomically. Throws mlp::Error naming the path on failure;
// the previous file, if any, is then unchanged.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace mlp::io
