// Folding batch normalization into the dense layers, for the exporters.
#include "export/exported_layers.h"

#include <cmath>

namespace mlp::io {

template <typename T>
std::vector<ExportedLayer<T>> exported_layers(const Model<T>& model) {
  std::vector<ExportedLayer<T>> layers;
  const double eps = model.config().batch_norm_eps;
  for (std::size_t i = 0; i < model.num_layers(); ++i) {
    ExportedLayer<T> l;
    l.inputs = model.layer_inputs(i);
    l.outputs = model.layer_outputs(i);
    l.activation = model.activation(i);
    l.weight.assign(model.weight(i), model.weight(i) + l.inputs * l.outputs);
    l.bias.assign(model.bias(i), model.bias(i) + l.outputs);
    if (model.has_batch_norm(i)) {
      for (std::size_t o = 0; o < l.outputs; ++o) {
        const double s = double(model.norm_weight(i)[o]) / std::sqrt(double(model.running_var(i)[o]) + eps);
        for (std::size_t k = 0; k < l.inputs; ++k) {
          T& w = l.weight[o * l.inputs + k];
          w = static_cast<T>(s * double(w));
        }
        l.bias[o] = static_cast<T>(s * (double(l.bias[o]) - double(model.running_mean(i)[o])) +
                                   double(model.norm_bias(i)[o]));
      }
    }
    layers.push_back(std::move(l));
  }
  return layers;
}

template std::vector<ExportedLayer<float>> exported_layers<float>(const Model<float>&);
template std::vector<ExportedLayer<double>> exported_layers<double>(const Model<double>&);

}  // namespace mlp::io
