// `mlp import MODEL.onnx -o MODEL`: an ONNX multi-layer perceptron (one of mlp's exports, or
// torch.onnx.export's nn.Sequential) as an mlp model file, for predict, eval and info.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "core/file.h"
#include "mlp/export/onnx.h"
#include "mlp/pipeline/pipeline.h"

namespace mlp::cli {
namespace {

struct ImportArgs {
  std::string input;
  std::string output;
};

void run(const ImportArgs& a) {
  io::check_writable(a.output);
  const Pipeline model = load_onnx(a.input);
  model.save(a.output);
  std::printf("wrote %s (%s, %zu parameters)\n", a.output.c_str(), model.classification() ? "classification" : "regression",
              model.parameter_count());
}

}  // namespace

void add_import_command(CLI::App& app) {
  auto a = std::make_shared<ImportArgs>();
  auto* cmd = app.add_subcommand("import", "Read an ONNX multi-layer perceptron (mlp's, or PyTorch's nn.Sequential) into a model file");
  cmd->add_option("onnx", a->input, "The ONNX model")->required();
  cmd->add_option("-o,--output", a->output, "The model file to write (safetensors)")->required();
  cmd->callback([a]() { run(*a); });
}

}  // namespace mlp::cli
