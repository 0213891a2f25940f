// Data files as a model reads them: the format found from the file's first bytes (CSV, NPY, IDX,
// gzip), the features as a table's columns or one numeric array, and the targets (label columns
// of a CSV, or a separate NPY/IDX file of labels). Knows files and columns, not training.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mlp/data/array.h"
#include "mlp/data/csv.h"

namespace mlp::data {

// The features of some rows: the named columns of a table (CSV; numbers, text, missing cells) or
// one numeric array (NPY, IDX, or numbers handed over in memory).
struct Frame {
  std::string source;  // the file (or what else the rows came from), for messages
  bool is_table = false;
  CsvTable table;                    // when is_table
  std::vector<std::size_t> columns;  // when is_table: the feature columns of `table`, in order
  // Otherwise the features; for a table whose values are empty (an all-numeric CSV read by
  // read_csv_numbers), the feature columns' numbers, rows x columns.size().
  Array array;

  std::size_t rows() const { return is_table ? table.rows : array.rows(); }
  // A table whose feature columns are numbers in `array` rather than in table.values.
  bool numbers_in_array() const { return is_table && table.values.empty() && table.rows > 0; }
  // The feature columns' names; empty for an array.
  std::vector<std::string> names() const;
};

// Where each row came from, for messages: prefix + the row's line (or number) + suffix, e.g.
// "data.csv:" 7 ":3" or "labels.npy: row " 7 "". Made when asked, not kept per row as text.
struct RowPlaces {
  std::string prefix, suffix;
  std::vector<std::size_t> numbers;  // each row's line or number; empty: first + row
  std::size_t first = 1;

  std::string operator[](std::size_t row) const {
    return prefix + std::to_string(numbers.empty() ? first + row : numbers[row]) + suffix;
  }
};

// Labels or regression targets, row by row. Never missing: a missing one fails to load.
struct Targets {
  std::string source;              // the file, for messages
  std::vector<std::string> names;  // the label columns' names ("label" for an NPY/IDX file)
  std::size_t cols = 0;
  std::vector<double> values;      // rows x cols, when every target column holds numbers
  std::vector<std::string> text;   // rows, when the (single) target column holds text
  std::string not_finite;          // the message of the first ±inf value, if any
  std::string not_numeric;         // the message of the first text cell, when text
  RowPlaces places;                // each row's place for messages ("data.csv:7:3", "labels.npy: row 7")

  bool empty() const { return cols == 0; }
  bool is_text() const { return !text.empty(); }
  std::size_t rows() const { return is_text() ? text.size() : cols ? values.size() / cols : 0; }
};

struct LoadOptions {
  // CSV label columns by name or 0-based index, comma-separated; "" = the last column. Ignored
  // unless targets are read.
  std::string target;
  // The label columns when `target` is empty (a model's own), as `target`; "": the last column.
  std::string default_target;
  std::string labels;                // NPY/IDX data: the file of labels
  bool read_targets = true;          // false: every column not ignored is a feature (predict)
  std::vector<std::string> ignore;   // CSV columns (names or indices) that are not features
  CsvOptions csv;
  // When targets are read, a CSV whose feature and target cells are all numbers (or missing) is
  // read by read_csv_numbers into a matrix of this type (f32 or f64: the model's precision; with
  // f32 an f64 model sees its features rounded to float), its ignored columns unread. Otherwise
  // (text cells, or targets not read, where predict may show any column as written) the whole
  // table is read with parse_csv.
  DType csv_features = DType::f32;
};

struct Loaded {
  Frame features;
  Targets targets;  // empty when options.read_targets is false
};

// Reads `path`: an NPY or plain IDX file is mapped and viewed, not copied (read_npy, read_idx);
// a CSV is read as LoadOptions::csv_features says. Throws DataError naming the file (and line and column) for unreadable data, a
// missing label ("data.csv:7:3: missing value (a label must be given)"), labels that do not
// match the rows, or a table with no feature column left (saying that the delimiter may be wrong
// when the file parsed to a single column); InvalidArgument for options that do not fit the
// format (--target with NPY data, no labels file for NPY data, ...).
Loaded load(const std::string& path, const LoadOptions& options);

}  // namespace mlp::data
