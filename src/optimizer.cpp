// Optimizer update rules, one loop over the flat buffers each.
#include "mlp/optimizer.h"

#include <cmath>
#include <string>

#include "mlp/error.h"

namespace mlp {

template <typename T>
SGD<T>::SGD(SGDOptions options) : options_(options) {
  if (!(options_.lr >= 0) || !std::isfinite(options_.lr))
    throw InvalidArgument("sgd: learning rate must be a finite number >= 0, got " + std::to_string(options_.lr));
}

template <typename T>
void SGD<T>::step(T* params, const T* grads, std::size_t n) {
  const T lr = static_cast<T>(options_.lr);
  for (std::size_t i = 0; i < n; ++i) params[i] -= grads[i] * lr;
}

template class SGD<float>;
template class SGD<double>;

}  // namespace mlp
