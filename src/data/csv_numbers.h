// The all-numeric CSV, the common large case, read in one pass straight into a row-major matrix
// of its feature columns (float32 or float64) and a small matrix of its target columns: no table
// of doubles in between, the file's pages given back as they are parsed, and a large file split
// at record boundaries among threads. Anything else (a text cell, a quoted line break, a doubled
// quote, a record of the wrong length, binary data) is left to parse_csv, which reads every CSV.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mlp/data/array.h"
#include "mlp/data/csv.h"
#include "core/file.h"

namespace mlp::data {

struct CsvNumbers {
  // The file's columns as parse_csv describes them (counts of missing cells, the first missing
  // and first non-finite cell, sum and count), for the feature and target columns; the other
  // (ignored) columns are not read and keep only their names. `values` is empty, `rows` set;
  // `row_lines` is empty when data row r is on line first_line + r (no blank line and no line
  // break inside a record), else it has every row's line.
  CsvTable table;
  std::size_t first_line = 0;
  // rows x features.size(), the columns in the order given, NaN where missing: each cell read
  // as a double (as parse_csv reads it) and then rounded to the array's type.
  Array features;
  // rows x targets.size(), row-major, NaN where missing.
  std::vector<double> targets;
};

// Reads the data records of `file` (after `head`, from parse_csv_head) whose `features` and
// `targets` columns (indices into head.table) all hold numbers or missing values; `dtype` is
// DType::f32 or DType::f64. Returns nothing when some cell or record is outside that case; the
// caller then reads the file with parse_csv, which gives the same values, or the error.
// The records are split into pieces of about `piece_bytes` (at most 64 pieces), each starting
// after a line feed, read by up to std::thread::hardware_concurrency() threads; how a file is
// split depends only on its size, so the column sums (added piece by piece, in file order) do not
// depend on the machine; a file of one piece sums exactly as parse_csv does.
constexpr std::size_t kCsvPieceBytes = std::size_t{32} << 20;
std::optional<CsvNumbers> read_csv_numbers(const io::FileBytes& file, const CsvHead& head,
                                           const std::vector<std::size_t>& features,
                                           const std::vector<std::size_t>& targets, DType dtype,
                                           std::size_t piece_bytes = kCsvPieceBytes);

}  // namespace mlp::data
