// Data a program already holds in memory (the Python module's numpy arrays and pandas columns),
// as the Frame and Targets that data::load makes from files: an array viewed without a copy, a
// table of named numeric and text columns, targets from numbers or labels.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mlp/data/load.h"

namespace mlp::data {

// The features of an array (a view or an owning one), named `source` in messages.
Frame array_frame(Array array, std::string source = "array");

// One named column of a table: numbers (NaN where missing) or text ("" where missing).
struct Column {
  std::string name;
  bool numeric = true;
  std::vector<double> numbers;    // when numeric
  std::vector<std::string> text;  // otherwise
};

// A table of columns of equal length, as a CSV file with these columns would load (every column a
// feature): numeric columns impute and scale, text columns one-hot encode. Cells are named
// "source:row:column" in messages, both 1-based. Throws ShapeError for columns of different
// lengths, DataError for no columns or no rows.
Frame table_frame(std::vector<Column> columns, std::string source = "table");

// Targets: rows x cols numbers (row-major), or one text label per row. Rows are named
// "source: row N" (1-based) in messages. A NaN throws DataError (a label must be given); ±inf is
// kept, as a file's, and fails where a finite target is needed. Throws ShapeError when
// values.size() is not a multiple of cols.
Targets number_targets(std::vector<double> values, std::size_t cols, std::string source = "y");
Targets text_targets(std::vector<std::string> labels, std::string source = "y");

}  // namespace mlp::data
