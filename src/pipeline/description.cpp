// What a model says of itself: parameters, layers, weights, info as JSON and text (description.h
// for the shape and name lists that fit and messages share).
#include "pipeline/description.h"

#include <nlohmann/json.hpp>

#include "core/escape.h"
#include "core/format.h"
#include "mlp/core/error.h"
#include "mlp/pipeline/pipeline.h"

namespace mlp {

std::string shape_of(const ModelConfig& c) {
  std::string shape;
  for (std::size_t i = 0; i < c.sizes.size(); ++i) shape += (i ? "-" : "") + std::to_string(c.sizes[i]);
  return shape;
}

std::string join(const std::vector<std::string>& names, std::size_t limit) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) s += (i ? ", " : "") + escape_for_message(names[i]);
  if (names.size() > limit) s += ", ...";
  return s;
}

std::size_t Pipeline::parameter_count() const {
  return std::visit([](const auto& m) { return m.parameters().size(); }, model_);
}

std::size_t Pipeline::layers() const { return d_.config.sizes.size() - 1; }

Matrix<double> Pipeline::weight(std::size_t layer) const {
  if (layer >= layers()) throw InvalidArgument("weight: no layer " + std::to_string(layer) + " in a network of " + std::to_string(layers()));
  return std::visit(
      [&](const auto& m) {
        const auto w = m.weight_matrix(layer);
        Matrix<double> out(w.rows(), w.cols());
        std::copy(w.data(), w.data() + w.size(), out.data());
        return out;
      },
      model_);
}

std::vector<double> Pipeline::bias(std::size_t layer) const {
  if (layer >= layers()) throw InvalidArgument("bias: no layer " + std::to_string(layer) + " in a network of " + std::to_string(layers()));
  return std::visit(
      [&](const auto& m) { return std::vector<double>(m.bias(layer), m.bias(layer) + m.layer_outputs(layer)); }, model_);
}

std::string Pipeline::info_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(io::description_json(d_));
  j["parameters"] = parameter_count();
  j["dtype"] = d_.weight_dtype.empty() ? (precision() == Precision::f64 ? "F64" : "F32") : d_.weight_dtype;
  return j.dump();
}

std::string Pipeline::info_text(const std::string& name) const {
  const ModelConfig& c = d_.config;
  std::string acts;
  for (std::size_t i = 0; i < c.hidden_activations.size(); ++i) acts += (i ? "," : "") + c.hidden_activations[i].name();
  nlohmann::json info = nlohmann::json::parse(info_json());
  std::string s;
  auto line = [&](const char* key, const std::string& value) { s += std::string(key) + std::string(13 - std::string(key).size(), ' ') + value + "\n"; };
  line("model", name + " (mlp model format " + std::to_string(d_.format_version) +
                    (d_.mlp_version.empty() ? "" : ", written by mlp " + d_.mlp_version) + ")");
  line("layers", shape_of(c) + ", hidden activation " + acts + ", output " + c.output.name() +
                     (c.batch_norm ? ", batch norm" : "") + (c.dropout > 0 ? ", dropout " + format_repr(c.dropout) : ""));
  line("parameters", std::to_string(parameter_count()) + " (" + info["dtype"].get<std::string>() + ")");
  line("task", std::string(d_.classification ? "classification" : "regression") + ", loss " + d_.loss.name());
  if (d_.classification) line("classes", std::to_string(d_.class_names.size()) + ": " + join(d_.class_names, 30));
  const Preprocessor& p = d_.preprocessor;
  std::size_t categorical = 0;
  for (const ColumnEncoding& e : p.columns) categorical += e.categorical();
  line("features", std::to_string(c.sizes.front()) +
                       (p.columns.empty() ? (d_.feature_names.empty() ? "" : " (named columns)")
                                          : " from " + std::to_string(p.columns.size()) + " columns" +
                                                (categorical ? " (" + std::to_string(categorical) + " categorical, one-hot)" : "")));
  line("scaling", scale_name(p.scaler.kind) + (d_.target_offset.empty() ? "" : "; targets standardized") +
                      "; missing values: " + missing_policy_name(p.missing));
  line("training", d_.training_json);
  return s;
}

}  // namespace mlp
