// `mlp eval MODEL DATA [--json]`: the loss and the task's metrics on labelled data.
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "data_loading.h"
#include "inference.h"
#include "mlp/loss.h"
#include "mlp/metrics.h"
#include "threads_option.h"

namespace mlp::cli {
namespace {

struct EvalArgs {
  std::string model;
  DataArgs data;
  bool json = false;
  int threads = 0;
};

void run(const EvalArgs& a) {
  apply_threads_option(a.threads);
  io::ModelDescription d = io::read_description(a.model);
  RawData data = load_model_data(a.data, d, true);
  Outputs o = run_model(a.model, d, data);
  nlohmann::ordered_json j;
  j["samples"] = o.rows;
  if (d.classification) {
    std::vector<double> labels = encode_labels(data, d.class_names);
    ClassificationMetrics m = classification_metrics(o.values.data(), labels.data(), o.rows, o.cols, 5);
    j["loss"] = m.log_loss;  // the cross-entropy of the predicted probabilities
    j["accuracy"] = m.accuracy;
    if (m.classes > 5) j["top5_accuracy"] = m.top_k_accuracy;
    j["precision"] = m.precision;
    j["recall"] = m.recall;
    j["f1"] = m.f1;
    j["log_loss"] = m.log_loss;
    j["classes"] = d.class_names;
    nlohmann::json confusion = nlohmann::json::array();
    for (std::size_t r = 0; r < m.classes; ++r)
      confusion.push_back(std::vector<std::size_t>(m.confusion.begin() + static_cast<std::ptrdiff_t>(r * m.classes),
                                                   m.confusion.begin() + static_cast<std::ptrdiff_t>((r + 1) * m.classes)));
    j["confusion_matrix"] = confusion;
  } else {
    const std::vector<double>& y = regression_targets(data);
    if (data.target_cols != o.cols)
      throw ShapeError(a.data.path + ": " + std::to_string(data.target_cols) + " target columns, the model has " +
                       std::to_string(o.cols) + " outputs");
    RegressionMetrics m = regression_metrics(o.values.data(), y.data(), o.rows, o.cols);
    j["loss"] = loss_forward(d.loss, o.values.data(), y.data(), o.rows, o.cols);
    j["mse"] = m.mse;
    j["rmse"] = m.rmse;
    j["mae"] = m.mae;
    j["r2"] = m.r2;
  }
  if (a.json) {
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("%s on %s (%zu rows)\n", a.model.c_str(), a.data.path.c_str(), o.rows);
  for (const auto& [key, value] : j.items()) {
    if (!value.is_number() || key == "samples") continue;
    std::printf("  %-14s %.6g\n", key.c_str(), value.get<double>());
  }
  if (d.classification) {
    std::printf("  confusion matrix (rows: true class, columns: predicted)\n");
    for (std::size_t r = 0; r < d.class_names.size(); ++r) {
      std::printf("  %12.12s", d.class_names[r].c_str());
      for (const auto& v : j["confusion_matrix"][r]) std::printf(" %6zu", v.get<std::size_t>());
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
  cmd->add_option("--target", a->data.target, "CSV label column(s) (default: the model's target columns, by name)");
  cmd->add_option("--labels", a->data.labels, "Labels in a separate file (NPY or IDX data)");
  cmd->add_option("--delimiter", a->data.delimiter, "CSV field separator")->capture_default_str();
  cmd->add_flag("--json", a->json, "Print one JSON object (samples, loss, and accuracy or mse, rmse, mae, r2)");
  add_threads_option(cmd, a->threads);
  cmd->callback([a]() { run(*a); });
}

}  // namespace mlp::cli
