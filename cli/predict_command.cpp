// `mlp predict MODEL DATA [-o OUT.csv]`: one CSV row per input row — the outputs (regression) or
// the class and the class probabilities (classification), after any --keep columns.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "data_options.h"
#include "core/format.h"
#include "core/file.h"
#include "mlp/pipeline/pipeline.h"
#include "threads_option.h"

namespace mlp::cli {
namespace {

struct PredictArgs {
  std::string model;
  DataFlags data;
  std::string output;
  std::vector<std::string> keep;
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
  if (!a.output.empty()) io::check_writable(a.output);
  const Pipeline model = Pipeline::load(a.model);
  const data::Loaded in = data::load(a.data.path, load_options(a.data, false));
  const Predictions p = model.predict(in.features);
  for (const std::string& line : p.preprocessing.lines()) std::fprintf(stderr, "%s: %s\n", a.data.path.c_str(), line.c_str());
  // The kept columns, as written.
  const data::CsvTable& t = in.features.table;
  std::vector<std::size_t> keep;
  for (const std::string& spec : a.keep) {
    if (!in.features.is_table) throw InvalidArgument("--keep names CSV columns; " + a.data.path + " has none");
    keep.push_back(t.find_column(spec));
  }
  auto kept = [&](std::size_t r) {
    std::string s;
    for (std::size_t c : keep)
      s += field(t.columns[c].numeric ? format_repr(t.value(r, c)) : t.columns[c].text[r]) + ",";
    return s;
  };
  // Probabilities of a float32 model at float32's precision; regression outputs (in the targets'
  // units, computed in double) in full.
  const bool f32 = model.precision() == Precision::f32 && model.classification();
  auto number = [&](double v) { return f32 ? format_repr_f32(static_cast<float>(v)) : format_repr(v); };
  const auto& d = model.description();
  std::string csv;
  for (std::size_t c : keep) csv += field(t.columns[c].name) + ",";
  if (model.classification()) {
    csv += "class";
    for (const std::string& c : d.class_names) csv += "," + field("prob_" + c);
  } else {
    for (std::size_t k = 0; k < p.cols; ++k) csv += (k ? "," : "") + field(k < d.target_names.size() ? d.target_names[k] : "y" + std::to_string(k));
  }
  csv += "\n";
  for (std::size_t r = 0; r < p.rows; ++r) {
    csv += kept(r);
    if (model.classification()) csv += field(d.class_names[p.classes[r]]) + ",";
    for (std::size_t k = 0; k < p.cols; ++k) csv += (k ? "," : "") + number(p.values[r * p.cols + k]);
    csv += "\n";
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
  cmd->add_option("--keep", a->keep, "CSV columns (IDs) to copy into the output before the predictions, comma-separated")->delimiter(',');
  add_data_options(cmd, a->data, false);
  add_threads_option(cmd, a->threads);
  cmd->callback([a]() { run(*a); });
}

}  // namespace mlp::cli
