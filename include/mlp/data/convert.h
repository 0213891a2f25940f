// Converting a data file once into the form training reads fastest: its features as a float32
// .npy file and its labels as a float64 .npy file beside it, so that `mlp train data.npy --labels
// data.labels.npy` trains as the CSV did, without parsing text every time.
#pragma once

#include <cstddef>
#include <string>

#include "mlp/data/load.h"

namespace mlp::data {

struct Converted {
  std::size_t rows = 0, features = 0, targets = 0;  // targets: label columns written
};

// Reads `path` as load does with `options` (targets are read) and writes its features
// (rows x features, float32, the feature columns in order) to `features_path` and its targets
// (rows x label columns, float64) to `labels_path`, both or neither (io::write_files_atomic).
// Only numbers can be written: throws DataError naming the first cell of a feature column that
// is text, missing or not finite ("data.csv:7:2: 'abc' is not a number (convert writes numbers
// only: --ignore the column, or train on the CSV)"), or the first text label ("... (convert
// writes numeric labels only; train on the CSV for text labels)"); throws as load.
Converted convert_to_npy(const std::string& path, LoadOptions options, const std::string& features_path,
                         const std::string& labels_path);

}  // namespace mlp::data
