// The model object's files and inference: load, save, serialize; predict, predict_proba and
// evaluate through a Predictor, in the data's units. Training is in fit.cpp and resume.cpp, the
// description in description.cpp.
#include "mlp/pipeline/pipeline.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "mlp/core/error.h"
#include "mlp/formats/model_file.h"
#include "mlp/train/metrics.h"
#include "pipeline/prepared_data.h"
#include "pipeline/targets.h"

namespace mlp {

// --- files ----------------------------------------------------------------------------------

Pipeline Pipeline::load(const std::string& path) {
  io::ModelDescription d = io::read_description(path);
  // In the precision the weights were stored in: F64 tensors run as double, anything else as float.
  if (d.weight_dtype == "F64") {
    io::LoadedModel<double> m = io::load_model<double>(path);
    return Pipeline(std::move(m.description), std::move(m.model));
  }
  io::LoadedModel<float> m = io::load_model<float>(path);
  return Pipeline(std::move(m.description), std::move(m.model));
}

Pipeline Pipeline::deserialize(std::string_view bytes, const std::string& source) {
  io::ModelDescription d = io::description_from_bytes(bytes, source);
  if (d.weight_dtype == "F64") {
    io::LoadedModel<double> m = io::model_from_bytes<double>(bytes, source);
    return Pipeline(std::move(m.description), std::move(m.model));
  }
  io::LoadedModel<float> m = io::model_from_bytes<float>(bytes, source);
  return Pipeline(std::move(m.description), std::move(m.model));
}

std::string Pipeline::serialize() const {
  return std::visit([&](const auto& model) { return io::serialize_model(model, d_); }, model_);
}

void Pipeline::save(const std::string& path) const { io::write_file_atomic(path, serialize()); }

// --- inference ------------------------------------------------------------------------------

Predictions Pipeline::predict(const data::Frame& x) const {
  Predictions p;
  std::vector<double> v;
  std::visit(
      [&](const auto& model) {
        auto out = run_network(model, d_.preprocessor, x, p.preprocessing);
        p.rows = out.rows();
        p.cols = out.cols();
        v.assign(out.data(), out.data() + out.size());
      },
      model_);
  // Probabilities in double from the network's outputs, whatever its precision.
  if (d_.classification) loss_probabilities<double>(d_.loss, v.data(), v.data(), p.rows, p.cols);
  if (!d_.classification) {
    const std::size_t k = p.cols;
    if (!d_.target_offset.empty())
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = v[i] * d_.target_scale[i % k] + d_.target_offset[i % k];
    p.values = std::move(v);
    return p;
  }
  const std::size_t classes = d_.class_names.size();
  if (p.cols == 1 && classes == 2) {  // one sigmoid output: the probability of the second class
    p.values.resize(p.rows * 2);
    for (std::size_t r = 0; r < p.rows; ++r) p.values[2 * r] = 1 - v[r], p.values[2 * r + 1] = v[r];
    p.cols = 2;
  } else {
    p.values = std::move(v);
  }
  p.classes = predicted_classes(p.values.data(), p.rows, p.cols);
  return p;
}

Matrix<double> Pipeline::predict_proba(const data::Frame& x) const {
  if (!d_.classification) throw InvalidArgument("predict_proba: the model does regression, it has no classes");
  Predictions p = predict(x);
  Matrix<double> m(p.rows, p.cols);
  std::copy(p.values.begin(), p.values.end(), m.data());
  return m;
}

EvaluationReport Pipeline::evaluate(const data::Frame& x, const data::Targets& y) const {
  if (y.rows() != x.rows())
    throw ShapeError(y.source + ": " + std::to_string(y.rows()) + " labels for " + std::to_string(x.rows()) + " rows of " + x.source);
  EvaluationReport r;
  if (d_.classification) {
    std::vector<double> labels = encode_labels(y, d_.class_names);  // before the work of predicting
    Predictions p = predict(x);
    r.rows = p.rows;
    r.preprocessing = p.preprocessing;
    r.classification = classification_metrics(p.values.data(), labels.data(), p.rows, p.cols, 5);
    r.loss = r.classification->log_loss;  // the cross-entropy of the predicted probabilities
    return r;
  }
  const std::vector<double>& targets = regression_targets(y);
  Predictions p = predict(x);
  if (y.cols != p.cols)
    throw ShapeError(y.source + ": " + std::to_string(y.cols) + " target columns, the model has " + std::to_string(p.cols) + " outputs");
  r.rows = p.rows;
  r.preprocessing = p.preprocessing;
  r.regression = regression_metrics(p.values.data(), targets.data(), p.rows, p.cols);
  r.loss = loss_forward(d_.loss, p.values.data(), targets.data(), p.rows, p.cols);
  return r;
}

}  // namespace mlp
