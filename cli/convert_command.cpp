// `mlp convert DATA -o FEATURES.npy [--labels-output LABELS.npy]`: a CSV (or NPY/IDX) file's
// features as float32 NPY and its labels as float64 NPY, to train on many times without parsing.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "data_options.h"
#include "mlp/data/convert.h"

namespace mlp::cli {
namespace {

struct ConvertArgs {
  DataFlags data;
  std::string output, labels_output;
};

// "data.npy" -> "data.labels.npy"; other names get ".labels.npy" appended.
std::string default_labels_path(const std::string& output) {
  const std::string ext = ".npy";
  const bool npy = output.size() > ext.size() && output.compare(output.size() - ext.size(), ext.size(), ext) == 0;
  return (npy ? output.substr(0, output.size() - ext.size()) : output) + ".labels.npy";
}

void run(const ConvertArgs& a) {
  const std::string labels = a.labels_output.empty() ? default_labels_path(a.output) : a.labels_output;
  const data::Converted c = data::convert_to_npy(a.data.path, load_options(a.data, true), a.output, labels);
  std::printf("%s: %zu rows, %zu features -> %s (float32); %zu label column%s -> %s (float64)\n", a.data.path.c_str(),
              c.rows, c.features, a.output.c_str(), c.targets, c.targets == 1 ? "" : "s", labels.c_str());
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto a = std::make_shared<ConvertArgs>();
  auto* cmd = app.add_subcommand("convert", "Convert a CSV once into NPY features and labels, to train on many times");
  cmd->add_option("data", a->data.path, "The data file (CSV; or NPY/IDX with --labels)")->required();
  cmd->add_option("-o,--output", a->output, "The features' .npy file (float32)")->required();
  cmd->add_option("--labels-output", a->labels_output, "The labels' .npy file (float64; default: the output's name with .labels.npy)");
  add_data_options(cmd, a->data, true);
  cmd->callback([a]() { run(*a); });
}

}  // namespace mlp::cli
