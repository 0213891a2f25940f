// `mlp info MODEL [--json]`: architecture, parameter count, preprocessing, classes, training.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "mlp/io/model_file.h"
#include "mlp/io/safetensors.h"

namespace mlp::cli {
namespace {

struct InfoArgs {
  std::string model;
  bool json = false;
};

void run(const InfoArgs& a) {
  io::ModelDescription d = io::read_description(a.model);
  io::SafeTensors st = io::read_safetensors(a.model);  // validates the whole file
  std::size_t params = 0;
  std::string dtype;
  for (const std::string& name : st.names()) {
    const io::Tensor& t = st.at(name);
    if (name.find("running_") == std::string::npos) params += io::safetensors_element_count(t.shape);
    dtype = t.dtype;
  }
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(st.metadata.at("mlp"));
  j["parameters"] = params;
  j["dtype"] = dtype;
  if (a.json) {
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::string shape, acts;
  for (std::size_t i = 0; i < d.config.sizes.size(); ++i) shape += (i ? "-" : "") + std::to_string(d.config.sizes[i]);
  for (std::size_t i = 0; i < d.config.hidden.size(); ++i) acts += (i ? "," : "") + d.config.hidden[i].name();
  std::printf("model        %s (mlp model format %d)\n", a.model.c_str(), j.value("version", 0));
  std::printf("layers       %s, hidden activation %s, output %s%s%s\n", shape.c_str(), acts.c_str(),
              d.config.output.name().c_str(), d.config.batch_norm ? ", batch norm" : "",
              d.config.dropout > 0 ? (", dropout " + std::to_string(d.config.dropout)).c_str() : "");
  std::printf("parameters   %zu (%s)\n", params, dtype.c_str());
  std::printf("task         %s, loss %s\n", d.classification ? "classification" : "regression", d.loss.name().c_str());
  if (d.classification) {
    std::string classes;
    for (std::size_t i = 0; i < d.class_names.size() && i < 30; ++i) classes += (i ? ", " : "") + d.class_names[i];
    std::printf("classes      %zu: %s%s\n", d.class_names.size(), classes.c_str(), d.class_names.size() > 30 ? ", ..." : "");
  }
  std::printf("features     %zu%s\n", d.config.sizes.front(), d.feature_names.empty() ? "" : " (named columns)");
  std::printf("scaling      %s%s\n", scale_name(d.scaler.kind).c_str(), d.target_offset.empty() ? "" : "; targets standardized");
  std::printf("training     %s\n", d.training_json.c_str());
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto a = std::make_shared<InfoArgs>();
  auto* cmd = app.add_subcommand("info", "Describe a saved model: architecture, parameters, preprocessing, classes, training");
  cmd->add_option("model", a->model, "The model (safetensors)")->required();
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->callback([a]() { run(*a); });
}

}  // namespace mlp::cli
