// The network as the exporters (ONNX, C source) write it: dense layers in evaluation mode, each
// batch normalization folded into the weights and bias of the dense layer before it, dropout left
// out (it does nothing at inference), and the activation that follows each layer.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mlp/nn/activation.h"
#include "mlp/nn/model.h"
#include "mlp/data/preprocessor.h"

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

// The input columns as the exporters take them: numeric ones (with their fill values) and text
// ones, each in the model's order.
struct ExportedInputs {
  std::vector<std::string> numeric, text;
  std::vector<double> fill;  // per numeric column
};
inline ExportedInputs exported_inputs(const Preprocessor& pre) {
  ExportedInputs in;
  for (const ColumnEncoding& c : pre.columns) {
    if (c.categorical())
      in.text.push_back(c.name);
    else
      in.numeric.push_back(c.name), in.fill.push_back(c.fill);
  }
  return in;
}

}  // namespace mlp::io
