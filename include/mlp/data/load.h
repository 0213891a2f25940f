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
  Array array;                       // otherwise

  std::size_t rows() const { return is_table ? table.rows : array.rows(); }
  // The feature columns' names; empty for an array.
  std::vector<std::string> names() const;
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
  std::vector<std::string> places; // each row's place for messages ("data.csv:7:3", "labels.npy: row 7")

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
};

struct Loaded {
  Frame features;
  Targets targets;  // empty when options.read_targets is false
};

// Reads `path`. Throws DataError naming the file (and line and column) for unreadable data, a
// missing label ("data.csv:7:3: missing value (a label must be given)"), labels that do not
// match the rows, or a table with no feature column left (saying that the delimiter may be wrong
// when the file parsed to a single column); InvalidArgument for options that do not fit the
// format (--target with NPY data, no labels file for NPY data, ...).
Loaded load(const std::string& path, const LoadOptions& options);

}  // namespace mlp::data
