// Running a saved model over data the way predict and eval need it: outputs in the data's units
// (regression) or class probabilities (classification).
#pragma once

#include <string>
#include <vector>

#include "data_loading.h"
#include "mlp/io/model_file.h"

namespace mlp::cli {

struct Outputs {
  // Regression: rows x outputs in the targets' units. Classification: rows x classes probabilities.
  std::vector<double> values;
  std::size_t rows = 0, cols = 0;
  std::vector<std::size_t> predicted;  // classification: the predicted class of each row
};

// Loads the model at `path` in its stored dtype and runs it over `data`'s features.
Outputs run_model(const std::string& path, const io::ModelDescription& d, const RawData& data);

}  // namespace mlp::cli
