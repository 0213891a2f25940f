// The network as the exporters (ONNX, C source) write it: dense layers in evaluation mode, each
// batch normalization folded into the weights and bias of the dense layer before it, dropout left
// out (it does nothing at inference), and the activation that follows each layer.
#pragma once

#include <cstddef>
#include <vector>

#include "mlp/activation.h"
#include "mlp/model.h"

namespace mlp::io {

template <typename T>
struct ExportedLayer {
  std::size_t inputs = 0, outputs = 0;
  std::vector<T> weight;  // (outputs, inputs), torch.nn.Linear's layout
  std::vector<T> bias;    // (outputs)
  Activation activation;  // after the layer (the output activation after the last)
};

// Layer i of the model, with batch normalization (running statistics) folded in:
// with s = gamma / sqrt(running_var + eps), weight' = s * weight (row by row) and
// bias' = s * (bias - running_mean) + beta, computed in double and rounded once to T.
// Layers without batch normalization are copied exactly.
template <typename T>
std::vector<ExportedLayer<T>> exported_layers(const Model<T>& model);

}  // namespace mlp::io
