// ONNX import: protobuf parsing, then the graph's operators, shapes and initializers (mlp's own
// exports and torch.onnx.export's MLPs), then one prediction when the model imported.
#include "fuzz_target.h"
#include "mlp/onnx.h"

static void read(std::string_view bytes) {
  mlp::Pipeline p = mlp::import_onnx(bytes, "fuzz.onnx");
  if (p.description().preprocessor.columns.empty() && p.description().config.sizes.front() <= 4096) {
    mlp::data::Frame f;
    f.source = "fuzz rows";
    f.array = mlp::data::Array(mlp::data::DType::f64, 2, p.description().config.sizes.front());
    (void)p.predict(f);
  }
}

MLP_FUZZ_TARGET(read)
