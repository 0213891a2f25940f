// A program linked against mlp::onnx: fits a model on a table made here, exports it to ONNX,
// reads the export back and checks that both predict the same classes.
#include <cstdio>
#include <fstream>
#include <string>

#include "mlp/export/onnx.h"
#include "mlp/mlp.h"

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "onnx_consumer.csv";
  {
    std::ofstream csv(path);
    csv << "x,y,label\n";
    for (int i = 0; i < 100; ++i) csv << i % 10 << "," << i % 3 << "," << (i % 10 > 4 ? "high" : "low") << "\n";
  }
  mlp::data::Loaded d = mlp::data::load(path, {});
  mlp::PipelineOptions options;
  options.epochs = 30;
  mlp::Pipeline model = mlp::Pipeline::fit(d.features, d.targets, options);
  mlp::Pipeline back = mlp::import_onnx(mlp::export_onnx(model), "export");
  const bool same = back.predict(d.features).classes == model.predict(d.features).classes;
  std::printf("onnx export %s\n", same ? "predicts the same classes" : "DIFFERS");
  return same ? 0 : 1;
}
