// Models out to ONNX and in from ONNX (library mlp_onnx, which links protobuf and Debian's
// libonnx; the core library does not). An export carries the preprocessing (imputation, one-hot,
// scaling) and the output side (target scaling, probabilities, the class) as graph nodes, and the
// whole description in metadata_props; docs/export.md describes the graph. Built without ONNX
// (libonnx-dev, libprotobuf-dev missing), every function but onnx_available throws mlp::Error
// saying so.
#pragma once

#include <string>
#include <string_view>

#include "mlp/pipeline/pipeline.h"

namespace mlp {

// Whether this build has ONNX support.
bool onnx_available();

// The model as ONNX bytes: opset 17 (ai.onnx.ml 3 for text columns), IR version 8; float32
// models as FLOAT, float64 models as DOUBLE.
std::string export_onnx(const Pipeline& model);
// Writes export_onnx's bytes atomically.
void save_onnx(const Pipeline& model, const std::string& path);

// Reads an ONNX model: one of mlp's exports (its preprocessing and metadata restored), or a
// multi-layer perceptron as torch.onnx.export writes an nn.Sequential of Linear layers and
// activations (Gemm, or MatMul + Add; activation operators and the primitive patterns of
// GELU, SiLU, Mish, ...; BatchNormalization after a layer is folded into it). Anything else
// throws Error naming the first node it cannot read; a malformed file throws Error too, one line.
// `source` names the bytes in messages.
Pipeline import_onnx(std::string_view bytes, const std::string& source);
Pipeline load_onnx(const std::string& path);

}  // namespace mlp
