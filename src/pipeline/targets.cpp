// The output side: task choice, class names and indices, regression targets (targets.h).
#include "pipeline/targets.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/escape.h"
#include "core/format.h"
#include "mlp/core/error.h"
#include "mlp/train/trainer.h"
#include "pipeline/description.h"

namespace mlp {


TaskChoice choose_task(const data::Targets& y, const std::string& requested) {
  if (requested == "classification") {
    if (y.cols != 1) throw InvalidArgument("classification needs exactly one label column");
    return {true, "as asked"};
  }
  if (requested == "regression") {
    if (y.is_text())
      throw InvalidArgument(y.source + ": regression needs numeric targets, but '" + escape_for_message(y.names[0]) + "' holds text");
    return {false, "as asked"};
  }
  if (!requested.empty()) throw InvalidArgument("unknown task '" + requested + "'; valid: regression, classification");
  if (y.is_text()) return {true, "the labels are text"};
  if (y.cols != 1) return {false, std::to_string(y.cols) + " target columns"};
  std::set<double> distinct;
  for (double v : y.values) {
    if (!std::isfinite(v) || v != std::floor(v)) return {false, "the targets are not all whole numbers"};
    distinct.insert(v);
    if (distinct.size() > 20) return {false, "the targets take more than 20 distinct values"};
  }
  if (distinct.size() < 2) return {false, "the targets take a single value"};
  return {true, "the labels are whole numbers with " + std::to_string(distinct.size()) + " distinct values"};
}

namespace {

void check_labels(const data::Targets& y) {
  if (y.cols != 1)
    throw InvalidArgument(y.source + ": classification takes one label column, got " + std::to_string(y.cols));
  if (!y.not_finite.empty()) throw data::DataError(y.not_finite);
}

std::string label_at(const data::Targets& y, std::size_t r) {
  return y.is_text() ? y.text[r] : format_label(y.values[r]);
}

}  // namespace

void check_rows(const data::Frame& x, const data::Targets& y) {
  if (y.rows() != x.rows())
    throw ShapeError(y.source + ": " + std::to_string(y.rows()) + " labels for " + std::to_string(x.rows()) + " rows of " + x.source);
}

std::vector<std::string> class_names(const data::Targets& y) {
  check_labels(y);
  if (y.is_text()) {
    std::set<std::string> names(y.text.begin(), y.text.end());
    return {names.begin(), names.end()};
  }
  std::set<double> values(y.values.begin(), y.values.end());
  std::vector<std::string> names;
  for (double v : values) names.push_back(format_label(v));
  return names;
}

std::vector<double> encode_labels(const data::Targets& y, const std::vector<std::string>& classes) {
  check_labels(y);
  std::map<std::string, double> index;
  for (std::size_t i = 0; i < classes.size(); ++i) index[classes[i]] = static_cast<double>(i);
  std::vector<double> out(y.rows());
  for (std::size_t r = 0; r < out.size(); ++r) {
    std::string name = label_at(y, r);
    auto it = index.find(name);
    if (it == index.end())
      throw data::DataError(y.places[r] + ": label '" + escape_for_message(name) + "' is not one of the model's classes (" + join(classes) + ")");
    out[r] = it->second;
  }
  return out;
}

const std::vector<double>& regression_targets(const data::Targets& y) {
  if (y.is_text()) throw data::DataError(y.not_numeric);
  if (!y.not_finite.empty()) throw data::DataError(y.not_finite);
  return y.values;
}

void fit_target_scaling(const std::vector<double>& y, std::size_t cols, std::vector<double>& offset,
                        std::vector<double>& scale) {
  const std::size_t rows = y.size() / cols;
  offset.assign(cols, 0);
  scale.assign(cols, 0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) offset[k] += y[r * cols + k];
  for (auto& m : offset) m /= static_cast<double>(rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) scale[k] += (y[r * cols + k] - offset[k]) * (y[r * cols + k] - offset[k]);
  for (auto& s : scale) {
    s = std::sqrt(s / static_cast<double>(rows));
    if (!(s > 0) || !std::isfinite(s)) s = 1;
  }
}

std::vector<double> select_rows(const std::vector<double>& values, std::size_t cols, const std::vector<std::size_t>& kept) {
  std::vector<double> out(kept.size() * cols);
  for (std::size_t i = 0; i < kept.size(); ++i)
    std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(kept[i] * cols), cols, out.begin() + static_cast<std::ptrdiff_t>(i * cols));
  return out;
}

std::vector<std::string> given_classes(const std::vector<std::string>& classes) {
  std::set<std::string> seen;
  for (const std::string& c : classes) {
    if (c.empty()) throw InvalidArgument("classes: a class name is empty");
    if (!seen.insert(c).second) throw InvalidArgument("classes: '" + escape_for_message(c) + "' is given twice");
  }
  return classes;
}

std::size_t choose_output_side(io::ModelDescription& d, const data::Targets& y, const TaskChoice& task,
                               const std::vector<std::string>& classes, const std::optional<Loss>& loss) {
  d.classification = task.classification;
  d.target_names = y.names;
  if (!task.classification) {
    d.loss = loss.value_or(parse_loss("mse"));
    if (task_for_loss(d.loss) != Task::regression)
      throw InvalidArgument("loss " + d.loss.name() + " is a classification loss, but the task is regression (" +
                            task.reason + "); ask for the classification task to classify");
    return y.cols;
  }
  d.class_names = classes.empty() ? class_names(y) : given_classes(classes);
  if (d.class_names.size() < 2)
    throw data::DataError(y.source + ": classification needs at least 2 classes, the labels have " +
                          std::to_string(d.class_names.size()) + (d.class_names.size() == 1 ? " class" : " classes"));
  const bool binary = d.class_names.size() == 2;
  d.loss = loss.value_or(parse_loss(binary ? "bce_with_logits" : "cross_entropy"));
  if (task_for_loss(d.loss) == Task::regression)
    throw InvalidArgument("loss " + d.loss.name() +
                          " is a regression loss; classification takes cross_entropy, nll, bce or bce_with_logits");
  if (task_for_loss(d.loss) == Task::binary && !binary)
    throw InvalidArgument("loss " + d.loss.name() + " is for two classes; the labels have " +
                          std::to_string(d.class_names.size()) + " (use cross_entropy)");
  return task_for_loss(d.loss) == Task::binary ? 1 : d.class_names.size();
}

}  // namespace mlp
