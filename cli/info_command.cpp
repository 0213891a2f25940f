// `mlp info MODEL [--json]`: architecture, parameter count, preprocessing, classes, training.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "mlp/pipeline/pipeline.h"

namespace mlp::cli {
namespace {

struct InfoArgs {
  std::string model;
  bool json = false;
};

void run(const InfoArgs& a) {
  const Pipeline model = Pipeline::load(a.model);
  if (a.json)
    std::printf("%s\n", model.info_json().c_str());
  else
    std::printf("%s", model.info_text(a.model).c_str());
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
