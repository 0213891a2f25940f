// `mlp eval MODEL DATA [--json]`: the loss and the task's metrics on labelled data.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "data_options.h"
#include "mlp/pipeline/pipeline.h"
#include "threads_option.h"

namespace mlp::cli {
namespace {

struct EvalArgs {
  std::string model;
  DataFlags data;
  bool json = false;
  int threads = 0;
};

void run(const EvalArgs& a) {
  apply_threads_option(a.threads);
  const Pipeline model = Pipeline::load(a.model);
  const auto& d = model.description();
  data::LoadOptions load = load_options(a.data, true);
  for (const std::string& name : d.target_names)  // the model's own label columns, by name
    load.default_target += (load.default_target.empty() ? "" : ",") + name;
  load.csv_features = model.precision() == Precision::f64 ? data::DType::f64 : data::DType::f32;  // a CSV's numbers
  const data::Loaded in = data::load(a.data.path, load);
  const EvaluationReport r = model.evaluate(in.features, in.targets);
  for (const std::string& line : r.preprocessing.lines()) std::fprintf(stderr, "%s: %s\n", a.data.path.c_str(), line.c_str());
  nlohmann::ordered_json j;
  j["samples"] = r.rows;
  j["loss"] = r.loss;
  if (const auto& m = r.classification) {
    j["accuracy"] = m->accuracy;
    if (m->classes > 5) j["top5_accuracy"] = m->top_k_accuracy;
    j["precision"] = m->precision;
    j["recall"] = m->recall;
    j["f1"] = m->f1;
    j["log_loss"] = m->log_loss;
    j["classes"] = d.class_names;
    nlohmann::json confusion = nlohmann::json::array();
    for (std::size_t row = 0; row < m->classes; ++row)
      confusion.push_back(std::vector<std::size_t>(m->confusion.begin() + static_cast<std::ptrdiff_t>(row * m->classes),
                                                   m->confusion.begin() + static_cast<std::ptrdiff_t>((row + 1) * m->classes)));
    j["confusion_matrix"] = confusion;
  } else if (const auto& m = r.regression) {
    j["mse"] = m->mse;
    j["rmse"] = m->rmse;
    j["mae"] = m->mae;
    j["r2"] = m->r2;
  }
  if (a.json) {
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("%s on %s (%zu rows)\n", a.model.c_str(), a.data.path.c_str(), r.rows);
  for (const auto& [key, value] : j.items())
    if (value.is_number() && key != "samples") std::printf("  %-14s %.6g\n", key.c_str(), value.get<double>());
  if (model.classification()) {
    std::printf("  confusion matrix (rows: true class, columns: predicted)\n");
    for (std::size_t row = 0; row < d.class_names.size(); ++row) {
      std::printf("  %12.12s", d.class_names[row].c_str());
      for (const auto& v : j["confusion_matrix"][row]) std::printf(" %6zu", v.get<std::size_t>());
      std::printf("\n");
    }
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Report a trained model's loss and metrics on labelled data");
  cmd->add_option("model", a->model, "The model (safetensors, from mlp train)")->required();
  cmd->add_option("data", a->data.path, "Labelled data: CSV, NPY or IDX")->required();
  add_data_options(cmd, a->data, true);
  cmd->add_flag("--json", a->json, "Print one JSON object (samples, loss, and accuracy or mse, rmse, mae, r2)");
  add_threads_option(cmd, a->threads);
  cmd->callback([a]() { run(*a); });
}

}  // namespace mlp::cli
