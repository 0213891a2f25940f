// `mlp export MODEL -o OUT.onnx|OUT.c [--format onnx|c]`: the model, its preprocessing and its
// output side as an ONNX graph, or as dependency-free C99 source (OUT.c and OUT.h).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "commands.h"
#include "mlp/core/error.h"
#include "mlp/export/c_export.h"
#include "core/file.h"
#include "mlp/export/onnx.h"
#include "mlp/pipeline/pipeline.h"

namespace mlp::cli {
namespace {

struct ExportArgs {
  std::string model;
  std::string output;
  std::string format;  // "onnx", "c", or "" for the output's extension
};

void run(const ExportArgs& a) {
  const std::filesystem::path out(a.output);
  std::string format = a.format;
  if (format.empty()) {
    const std::string ext = out.extension().string();
    if (ext == ".onnx") format = "onnx";
    else if (ext == ".c") format = "c";
    else throw InvalidArgument("cannot tell the format from '" + a.output + "': name it .onnx or .c, or give --format onnx|c");
  }
  if (format == "c" && out.extension() == ".h") throw InvalidArgument("-o names the .c file; the header is written beside it");
  io::check_writable(a.output);
  const Pipeline model = Pipeline::load(a.model);
  if (format == "onnx") {
    save_onnx(model, a.output);
    std::printf("wrote %s (ONNX, opset 17)\n", a.output.c_str());
    return;
  }
  const std::string name = io::c_identifier(out.stem().string());
  const io::CSource c = io::export_c(model.description(), model.network(), name);
  std::filesystem::path header = out;
  header.replace_filename(name + ".h");
  io::write_files_atomic({{header.string(), c.header}, {a.output, c.source}});
  std::printf("wrote %s and %s (C99; %s_predict)\n", a.output.c_str(), header.string().c_str(), name.c_str());
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Write a model, with its preprocessing, as ONNX or as dependency-free C99 source");
  cmd->add_option("model", a->model, "The model (safetensors, from mlp train)")->required();
  cmd->add_option("-o,--output", a->output, "OUT.onnx, or OUT.c (OUT.h is written beside it)")->required();
  cmd->add_option("--format", a->format, "onnx or c (default: from the output's extension)")->check(CLI::IsMember({"onnx", "c"}));
  cmd->callback([a]() { run(*a); });
}

}  // namespace mlp::cli
