// The model's output side as fit learns it from the labels: the task (classification or
// regression, asked for or inferred), the class names and each row's class index, regression
// targets and their standardization, and the check that labels and rows agree.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mlp/core/tensor.h"
#include "mlp/data/load.h"
#include "mlp/formats/model_file.h"

namespace mlp {

// The task fit takes, and why (what fit reports).
struct TaskChoice {
  bool classification = false;
  std::string reason;
};

// Classification when asked, or when the labels are text, or whole numbers with at most 20
// distinct values.
TaskChoice choose_task(const data::Targets& y, const std::string& requested);

// The output side of a description for the task: classification (class names, given or from the
// labels; the loss, given or cross_entropy, bce_with_logits for two classes) or regression (the
// loss, given or mse), checked against each other; returns the network's outputs.
std::size_t choose_output_side(io::ModelDescription& d, const data::Targets& y, const TaskChoice& task,
                               const std::vector<std::string>& classes, const std::optional<Loss>& loss);

// Throws ShapeError unless y has a label for every row of x.
void check_rows(const data::Frame& x, const data::Targets& y);

// The sorted distinct labels' names (text as written; numbers as "3" or "2.5").
std::vector<std::string> class_names(const data::Targets& y);
// The class names given in the options: at least one, none empty, none twice.
std::vector<std::string> given_classes(const std::vector<std::string>& classes);
// Each row's class index; throws naming the row for a label not in `classes`.
std::vector<double> encode_labels(const data::Targets& y, const std::vector<std::string>& classes);
// Numeric targets, all finite; throws DataError naming the first bad one.
const std::vector<double>& regression_targets(const data::Targets& y);

// Standardization of regression targets: y' = (y - mean) / std per column (std 0 -> 1).
void fit_target_scaling(const std::vector<double>& y, std::size_t cols, std::vector<double>& offset,
                        std::vector<double>& scale);
// The rows of `values` (rows of `cols`) listed in `kept`.
std::vector<double> select_rows(const std::vector<double>& values, std::size_t cols, const std::vector<std::size_t>& kept);

// The targets of `rows` rows, those listed in `kept` (all when it is empty), standardized when
// offset is given, as a matrix of T.
template <typename T>
Matrix<T> target_matrix(const std::vector<double>& values, std::size_t cols, std::size_t rows,
                        const std::vector<std::size_t>& kept, const std::vector<double>& offset,
                        const std::vector<double>& scale) {
  Matrix<T> m(rows, cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t k = 0; k < cols; ++k) {
      const double v = values[(kept.empty() ? i : kept[i]) * cols + k];
      m(i, k) = static_cast<T>(offset.empty() ? v : (v - offset[k]) / scale[k]);
    }
  return m;
}

}  // namespace mlp
