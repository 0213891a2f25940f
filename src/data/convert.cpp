// A data file's features and labels as two .npy files.
#include "mlp/data/convert.h"

#include <utility>
#include <vector>

#include "data/npy.h"
#include "core/file.h"

namespace mlp::data {
namespace {

Array float_array(const std::vector<float>& values, std::size_t rows, std::size_t cols) {
  const auto* bytes = reinterpret_cast<const std::byte*>(values.data());
  return Array(DType::f32, rows, cols, std::vector<std::byte>(bytes, bytes + values.size() * sizeof(float)));
}

}  // namespace

Converted convert_to_npy(const std::string& path, LoadOptions options, const std::string& features_path,
                         const std::string& labels_path) {
  if (features_path == labels_path)
    throw InvalidArgument("the features and the labels would both be written to " + features_path);
  options.read_targets = true;
  options.csv_features = DType::f32;
  const Loaded in = load(path, options);
  const Frame& f = in.features;
  const Targets& y = in.targets;
  if (y.is_text())
    throw DataError(y.not_numeric + " (convert writes numeric labels only; train on the CSV for text labels)");

  Array features;
  if (f.is_table) {
    try {
      check_finite(f.table, f.columns);
    } catch (const DataError& e) {
      throw DataError(std::string(e.what()) + " (convert writes numbers only: --ignore the column, or train on the CSV)");
    }
    if (f.numbers_in_array()) {
      features = f.array;  // float32 already: a view, not a copy
    } else {
      features = float_array(numeric_matrix<float>(f.table, f.columns), f.rows(), f.columns.size());
    }
  } else {
    features = float_array(f.array.to_vector<float>(), f.rows(), f.array.cols());
  }
  const Array labels = Array::view(DType::f64, y.rows(), y.cols, y.values.data());
  std::vector<std::pair<std::string, std::string>> files;  // moved in: an initializer list would copy them
  files.emplace_back(features_path, npy_bytes(features));
  files.emplace_back(labels_path, npy_bytes(labels));
  io::write_files_atomic<DataError>(files);
  return {f.rows(), features.cols(), y.cols};
}

}  // namespace mlp::data
