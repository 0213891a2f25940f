// Inverted dropout's forward and backward passes over flat buffers.
#include "mlp/dropout.h"

#include <string>

#include "mlp/error.h"

namespace mlp {

template <typename T>
void dropout_forward(T* out, T* mask, const T* inp, double p, std::size_t n, Random& rng) {
  if (!(p >= 0 && p < 1)) throw InvalidArgument("dropout: p must be in [0, 1), got " + std::to_string(p));
  const T keep_scale = static_cast<T>(1.0 / (1.0 - p));
  for (std::size_t k = 0; k < n; ++k) {
    mask[k] = rng.rand() < p ? T(0) : keep_scale;
    out[k] = inp[k] * mask[k];
  }
}

template <typename T>
void dropout_backward(T* dinp, const T* dout, const T* mask, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) dinp[k] = dout[k] * mask[k];
}

template void dropout_forward<float>(float*, float*, const float*, double, std::size_t, Random&);
template void dropout_forward<double>(double*, double*, const double*, double, std::size_t, Random&);
template void dropout_backward<float>(float*, const float*, const float*, std::size_t);
template void dropout_backward<double>(double*, const double*, const double*, std::size_t);

}  // namespace mlp
