// IDX files, the format of MNIST and Fashion-MNIST (train-images-idx3-ubyte and friends), plain or
// gzip-compressed: read into an Array that keeps the stored element type (uint8 pixels stay bytes).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mlp/data/array.h"
#include "core/file.h"

namespace mlp::data {

// Reads the IDX file at `path`, gzip-compressed or not: gzip is recognized by its magic bytes
// (1f 8b), whatever the name. Header: 0x00 0x00, a type byte (0x08 uint8, 0x09 int8, 0x0B int16,
// 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, then each dimension as a
// big-endian 32-bit count; then the values, big-endian, converted to this machine's byte order.
// Shape: the first dimension gives the rows and the rest are flattened into columns — images
// (n, 28, 28) are n x 784; a 1-D label file of n values is n x 1.
// Throws DataError, one line each:
//   "<path>: cannot open: No such file or directory" (or another reason)
//   "<path>: not an IDX file"                         bad magic, unknown type or 0 dimensions
//   "<path>: truncated IDX header"                    the dimensions are cut short
//   "<path>: header says 60000 x 28 x 28 (47040000 bytes) but the data holds 1000 bytes"
//     (a truncated file, or one with bytes after the data)
//   "<path>: corrupt gzip data (invalid block type)" (zlib's reason in the parentheses), or
//   "<path>: corrupt gzip data (truncated)"
// Plain (not gzip) uint8 and int8 data is not copied: the Array views the file, mapped, and keeps
// the mapping alive; its pages are read as rows are used. Other types are copied.
Array read_idx(const std::string& path);
// The same for a file already mapped (io::map_file); the Array may hold a share of `file`.
Array read_idx(std::shared_ptr<const io::FileBytes> file, const std::string& path);

// The same for the bytes of an IDX file (plain or gzip) already in memory; `path` names it in
// messages.
Array parse_idx(std::string_view bytes, const std::string& path);

}  // namespace mlp::data
