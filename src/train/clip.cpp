// Gradient clipping by global norm and by value.
#include "mlp/train/clip.h"

#include <algorithm>
#include <cmath>

namespace mlp {

template <typename T>
double clip_grad_norm(T* grads, std::size_t n, double max_norm) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(grads[i]) * grads[i];
  double norm = std::sqrt(sum);
  double coef = max_norm / (norm + 1e-6);
  if (coef < 1) {
    const T c = static_cast<T>(coef);
    for (std::size_t i = 0; i < n; ++i) grads[i] *= c;
  }
  return norm;
}

template <typename T>
void clip_grad_value(T* grads, std::size_t n, double clip) {
  const T hi = static_cast<T>(clip), lo = -hi;
  for (std::size_t i = 0; i < n; ++i) grads[i] = std::clamp(grads[i], lo, hi);
}

template double clip_grad_norm<float>(float*, std::size_t, double);
template double clip_grad_norm<double>(double*, std::size_t, double);
template void clip_grad_value<float>(float*, std::size_t, double);
template void clip_grad_value<double>(double*, std::size_t, double);

}  // namespace mlp
