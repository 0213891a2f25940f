// Reading the CLI's data files (CSV, NPY, IDX) into features and raw targets, choosing the
// task, and turning labels into class indices. Knows files and column names, not training.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mlp/data/array.h"
#include "mlp/io/model_file.h"

namespace mlp::cli {

struct DataArgs {
  std::string path;
  std::string target;  // CSV label columns by name or 0-based index ("a,b" or "3"); "" = default
  std::string labels;  // labels in a separate file (NPY, IDX)
  char delimiter = ',';
};

// Features and targets as read from the files.
struct RawData {
  std::string source;                      // the data file, for messages
  data::Array features;                    // rows x features, in the stored type
  std::vector<std::string> feature_names;  // CSV header names; empty for NPY and IDX
  bool has_targets = false;
  std::vector<std::string> target_names;
  std::size_t target_cols = 0;
  std::vector<double> target_values;     // rows x target_cols, when the targets are numbers
  std::vector<std::string> target_text;  // rows, when the (single) target column is text
  std::string target_not_finite;         // the message for a non-finite numeric target, if any
  std::string target_not_numeric;        // the message for the first text cell of a text target
  std::vector<std::size_t> row_lines;    // CSV: each row's line in the file, for messages
  std::size_t target_column = 0;         // CSV: the (first) target's 1-based column

  std::size_t rows() const { return features.rows(); }
  bool text_targets() const { return !target_text.empty(); }
};

// Training data: CSV features are every column but the targets (default: the last column);
// NPY/IDX features are the whole file and the targets come from `labels`. Feature columns must be
// finite numbers (else "data.csv:7:2: 'abc' is not a number").
RawData load_training_data(const DataArgs& args);

// Data for a trained model: CSV features are the model's feature columns, found by name; targets
// (when `need_targets`) are args.target or the model's target columns, or `labels`.
// Throws when the width does not match the model.
RawData load_model_data(const DataArgs& args, const io::ModelDescription& model, bool need_targets);

// Classification when asked, or when the labels are text, or whole numbers with at most 20
// distinct values; `reason` says why.
struct TaskChoice {
  bool classification = false;
  std::string reason;
};
TaskChoice choose_task(const RawData& data, const std::string& requested);

// The sorted distinct labels' names (text as written; numbers as "3" or "2.5").
std::vector<std::string> class_names(const RawData& data);
// The class index of each row's label; throws naming the row for a label not in `classes`.
std::vector<double> encode_labels(const RawData& data, const std::vector<std::string>& classes);
// Regression targets, rows x target_cols; throws the message of the first non-finite value.
const std::vector<double>& regression_targets(const RawData& data);

}  // namespace mlp::cli
