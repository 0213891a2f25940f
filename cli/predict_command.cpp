// `mlp predict MODEL DATA [-o OUT.csv]`: one CSV row per input row — the outputs (regression) or
// the class and the class probabilities (classification).
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "data_loading.h"
#include "inference.h"
#include "mlp/format.h"
#include "mlp/io/file.h"
#include "threads_option.h"

namespace mlp::cli {
namespace {

struct PredictArgs {
  std::string model;
  DataArgs data;
  std::string output;
  int threads = 0;
};

// A CSV field, quoted when it holds a delimiter, quote or line break (RFC 4180).
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void run(const PredictArgs& a) {
  apply_threads_option(a.threads);
  io::ModelDescription d = io::read_description(a.model);
  RawData data = load_model_data(a.data, d, false);
  Outputs o = run_model(a.model, d, data);
  std::string csv;
  if (d.classification) {
    csv = "class";
    for (const std::string& c : d.class_names) csv += "," + field("prob_" + c);
    csv += "\n";
    for (std::size_t r = 0; r < o.rows; ++r) {
      csv += field(d.class_names[o.predicted[r]]);
      for (std::size_t c = 0; c < o.cols; ++c) csv += "," + format_repr(o.values[r * o.cols + c]);
      csv += "\n";
    }
  } else {
    for (std::size_t k = 0; k < o.cols; ++k)
      csv += (k ? "," : "") + field(k < d.target_names.size() ? d.target_names[k] : "y" + std::to_string(k));
    csv += "\n";
    for (std::size_t r = 0; r < o.rows; ++r) {
      for (std::size_t k = 0; k < o.cols; ++k) csv += (k ? "," : "") + format_repr(o.values[r * o.cols + k]);
      csv += "\n";
    }
  }
  if (a.output.empty())
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  else
    io::write_file_atomic(a.output, csv);
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand("predict", "Write a trained model's predictions for each row of a data file as CSV");
  cmd->add_option("model", a->model, "The model (safetensors, from mlp train)")->required();
  cmd->add_option("data", a->data.path, "Data: CSV (the model's feature columns, by name), NPY or IDX")->required();
  cmd->add_option("-o,--output", a->output, "Write the CSV here (default: stdout)");
  cmd->add_option("--target", a->data.target, "Accepted for symmetry with train and eval; predict reads no labels");
  cmd->add_option("--labels", a->data.labels, "Accepted for symmetry with train and eval; predict reads no labels");
  cmd->add_option("--delimiter", a->data.delimiter, "CSV field separator")->capture_default_str();
  add_threads_option(cmd, a->threads);
  cmd->callback([a]() {
    PredictArgs args = *a;
    args.data.target.clear();
    args.data.labels.clear();
    run(args);
  });
}

}  // namespace mlp::cli
