// Inverted dropout's forward and backward passes over flat buffers.
#include "mlp/nn/dropout.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "mlp/core/error.h"

namespace mlp {

// Element k is dropped where the k-th rand() < p. rand() is rand_bits(a, b) / 2^53 for its two
// words, and p * 2^53 is exact, so the test is the integer one rand_bits(a, b) < ceil(p * 2^53):
// no doubles, and a loop over words drawn in bulk that the compiler vectorizes.
template <typename T>
void dropout_forward(T* out, T* mask, const T* inp, double p, std::size_t n, Random& rng) {
  if (!(p >= 0 && p < 1)) throw InvalidArgument("dropout: p must be in [0, 1), got " + std::to_string(p));
  const T keep_scale = static_cast<T>(1.0 / (1.0 - p));
  const auto below = static_cast<std::uint64_t>(std::ceil(std::ldexp(p, 53)));
  constexpr std::size_t kChunk = 512;
  std::uint32_t words[2 * kChunk];
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = std::min(kChunk, n - start);
    rng.fill_u32(words, 2 * m);
    T* chunk_mask = mask + start;
    for (std::size_t k = 0; k < m; ++k) {
      chunk_mask[k] = Random::rand_bits(words[2 * k], words[2 * k + 1]) < below ? T(0) : keep_scale;
    }
    for (std::size_t k = start; k < start + m; ++k) out[k] = inp[k] * mask[k];
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
