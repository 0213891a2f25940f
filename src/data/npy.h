// numpy's .npy files (format versions 1.0, 2.0 and 3.0): read 1-D and 2-D arrays of floats,
// integers and bools into an Array that keeps their element type; write 2-D arrays back.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "mlp/data/array.h"
#include "core/file.h"

namespace mlp::data {

// Reads the .npy file at `path`. dtypes: '<f4', '<f8', '|i1', '|u1', '<i2', '<u2', '<i4', '<u4',
// '<i8', '<u8', '|b1' -> the Array's DType; big-endian ('>') ones are converted to this machine's
// order. A 1-D array of n values is n rows x 1 column; a Fortran-order array is transposed to
// row-major. The header dict may have any spacing and a trailing comma, and may hold other keys.
// Throws DataError, one line each:
//   "<path>: cannot open: No such file or directory" (or another reason)
//   "<path>: not an NPY file"                         bad magic
//   "<path>: unsupported NPY format version 4.0"
//   "<path>: truncated header (the header needs 128 bytes, the file has 60)"
//   "<path>: malformed header: <what>"                not a dict of 'descr', 'fortran_order',
//   'shape'
//   "<path>: unsupported dtype '<c16'; supported: float32, float64, int8, ..."
//   "<path>: shape (2, 3, 4) has 3 dimensions; only 1-D and 2-D arrays are supported"
//   "<path>: header says 100 x 784 float32 (313600 bytes) but the file holds 1000 bytes of data"
//     (for a truncated file, or one with bytes after the data)
// A C-order little-endian array (what numpy writes on this machine) is not copied: the Array views
// the file, mapped, and keeps the mapping alive, so its pages are read as batches use the rows
// and a file larger than memory can be trained on. Fortran-order and big-endian arrays are copied.
Array read_npy(const std::string& path);
// The same for a file already mapped (io::map_file); the Array may hold a share of `file`.
Array read_npy(std::shared_ptr<const io::FileBytes> file, const std::string& path);

// The same for the bytes of an .npy file already in memory, always copied; `path` names it in
// messages.
Array parse_npy(std::string_view bytes, const std::string& path);

// The bytes of a 2-D C-order .npy file of `array` (as write_npy writes it), for a caller that
// writes it together with other files (io::write_files_atomic).
std::string npy_bytes(const Array& array);

// Writes `array` as a 2-D C-order .npy file (version 1.0, little-endian, header padded to 64 bytes
// as numpy does), so that numpy.load gives shape (rows, cols) and the same dtype. The file is
// written as io::write_file_atomic writes (a temporary file beside it, flushed to disk, renamed
// over `path`): an existing file is never left half-written. Throws DataError
// "<path>: cannot write: <reason>" (or "cannot replace" etc., as io::write_file_atomic).
void write_npy(const std::string& path, const Array& array);
// The same for rows x cols values, row-major: float -> '<f4', double -> '<f8'.
void write_npy(const std::string& path, const float* data, std::size_t rows, std::size_t cols);
void write_npy(const std::string& path, const double* data, std::size_t rows, std::size_t cols);

}  // namespace mlp::data
