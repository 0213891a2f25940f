// ONNX import: protobuf parsing, then the graph's operators, shapes and initializers (mlp's own
// exports and torch.onnx.export's MLPs), then one prediction when the model imported.
#include "fuzz_target.h"
#include "mlp/export/onnx.h"

static void read(std::string_view bytes) { predict_zeros(mlp::import_onnx(bytes, "fuzz.onnx")); }

MLP_FUZZ_TARGET(read)
