// Initializers: each fills the flat parameter buffer layer by layer from one generator.
#include "mlp/init.h"

#include <cmath>

namespace mlp {

template <typename T>
void init_tutorial(Model<T>& model, Random& rng) {
  for (std::size_t i = 0; i < model.num_layers(); ++i) {
    std::size_t in = model.layer_inputs(i), out = model.layer_outputs(i);
    T* w = model.weight(i);
    for (std::size_t k = 0; k < out * in; ++k) w[k] = static_cast<T>(rng.rand() / static_cast<double>(in));
    T* b = model.bias(i);
    bool last = i + 1 == model.num_layers();
    for (std::size_t k = 0; k < out; ++k) b[k] = last ? T(0) : static_cast<T>(rng.rand());
  }
}

template <typename T>
void init_default(Model<T>& model, Random& rng) {
  for (std::size_t i = 0; i < model.num_layers(); ++i) {
    std::size_t in = model.layer_inputs(i), out = model.layer_outputs(i);
    double bound = 1.0 / std::sqrt(static_cast<double>(in));
    T* w = model.weight(i);
    for (std::size_t k = 0; k < out * in; ++k) w[k] = static_cast<T>((2.0 * rng.rand() - 1.0) * bound);
    T* b = model.bias(i);
    for (std::size_t k = 0; k < out; ++k) b[k] = static_cast<T>((2.0 * rng.rand() - 1.0) * bound);
  }
}

template void init_tutorial<float>(Model<float>&, Random&);
template void init_tutorial<double>(Model<double>&, Random&);
template void init_default<float>(Model<float>&, Random&);
template void init_default<double>(Model<double>&, Random&);

}  // namespace mlp
