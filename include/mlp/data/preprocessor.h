// What a model learns about its input columns and applies to every row it reads, as
// scikit-learn's ColumnTransformer(SimpleImputer + OneHotEncoder, SimpleImputer + StandardScaler):
// missing numbers become the training mean, missing categories the most frequent one; text
// columns are one-hot encoded (an unseen category gives all zeros, as handle_unknown='ignore');
// then numeric features are scaled (one-hot columns are not).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlp/data/load.h"
#include "mlp/data/scaler.h"

namespace mlp {

// What to do with a missing feature value: impute it (the default), drop the row (training data
// only; predictions impute), or fail naming the cell.
enum class MissingPolicy { impute, drop, error };
MissingPolicy parse_missing_policy(std::string_view name);  // "impute", "drop", "error"
std::string missing_policy_name(MissingPolicy policy);

// One input column as it was seen in training.
struct ColumnEncoding {
  std::string name;
  std::vector<std::string> categories;  // sorted; empty for a numeric column
  double fill = 0;                      // numeric: the mean of the training values
  std::string fill_category;            // categorical: the most frequent (the smallest of ties)

  bool categorical() const { return !categories.empty(); }
  std::size_t width() const { return categorical() ? categories.size() : 1; }
};

// What preprocessing did to some rows, for the user: per column, the cells imputed and the
// categories not seen in training; and the rows dropped.
struct PreprocessReport {
  std::vector<std::pair<std::string, std::size_t>> imputed;  // (column, cells), columns with any
  std::vector<std::pair<std::string, std::size_t>> unseen;   // (column, cells), columns with any
  std::size_t dropped_rows = 0;

  std::size_t imputed_cells() const;
  std::size_t unseen_cells() const;
  // One line each, "imputed 12 missing values: age 7, city 5" and the like; empty when nothing
  // happened.
  std::vector<std::string> lines() const;
};

struct Preprocessor {
  // A table's columns; empty for array inputs, which are used as they are.
  std::vector<ColumnEncoding> columns;
  MissingPolicy missing = MissingPolicy::impute;
  Scaler scaler;  // over the encoded features (identity on one-hot columns)

  // The width of an encoded row: the model's inputs.
  std::size_t width(const data::Frame& frame) const;

  // Learns the columns from a table (numeric columns' means, categories and most frequent values)
  // and then the scaler from the encoded rows, as T (float or double: the model's precision) sees
  // them. For an array frame only the scaler.
  // Throws DataError for a column with no values at all (name it in --ignore) and, with
  // MissingPolicy::error, for the first missing cell.
  template <typename T>
  static Preprocessor fit(const data::Frame& frame, ScaleKind scale, MissingPolicy missing);

  // The frame's features as the model reads them, before scaling (the scaler runs per batch):
  // a table is encoded into a new f64 array, found by column name (by position when the model
  // has no names); an array is returned as it is (by reference into the frame), and so is the
  // array of a table read by read_csv_numbers when it is the model's columns, in order, with no
  // missing cells (the large all-numeric CSV is not copied).
  // `kept` receives the rows kept when the training policy dropped some (`drop` true); it is
  // left empty when every row is kept. Throws DataError for a missing feature column or the
  // wrong width, or when every row would be dropped.
  const data::Array& encode(const data::Frame& frame, data::Array& storage, PreprocessReport& report,
                            std::vector<std::size_t>& kept, bool drop = false) const;
};

}  // namespace mlp
