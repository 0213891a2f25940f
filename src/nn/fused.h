// The fused passes of Model's relu layers (model.cpp): the bias add and relu in one pass forward,
// relu's derivative with dropout's mask and the bias gradient in one pass backward, each
// optionally rounding its output to bfloat16 for the next products. Compiled per CPU in portable
// builds (MLP_CLONES). tests/nn/test_dropout.cpp checks them against the layer functions composed.
#pragma once

#include <cstddef>

#include "core/cpu_clones.h"
#include "mlp/core/bf16.h"

namespace mlp::fused {

// a (B, OC) = relu(a + bias) in place, one pass: the bias add and relu_forward's max(0, z) fused
// (NaN passes through, as relu_forward). With ToBf16, also a_bf16 = a rounded to bfloat16.
template <bool ToBf16, typename T>
MLP_CLONES void bias_relu_forward(T* a, bf16* a_bf16, const T* bias, std::size_t B, std::size_t OC) {
  for (std::size_t r = 0; r < B; ++r) {
    T* row = a + r * OC;
    for (std::size_t j = 0; j < OC; ++j) {
      const T z = row[j] + bias[j];
      row[j] = z < T(0) ? T(0) : z;
      if constexpr (ToBf16) a_bf16[r * OC + j] = to_bf16(static_cast<float>(row[j]));
    }
  }
}

// relu's backward fused with dropout's and the bias gradient, one pass:
//   dz (B, OC) = (dout * mask) * relu'(z), relu'(z) = 1 where a = relu(z) > 0 (the same test as z > 0), else 0
//   dbias (OC) += the rows of dz, in row order as dense_backward adds them.
// The products keep the unfused order (a NaN gradient stays NaN where relu' is 0).
// With ToBf16, also dz_bf16 = dz rounded to bfloat16.
template <bool Masked, bool ToBf16, typename T>
MLP_CLONES void relu_bias_backward(T* dz, bf16* dz_bf16, T* dbias, const T* dout, const T* mask, const T* a, std::size_t B,
                        std::size_t OC) {
  for (std::size_t r = 0; r < B; ++r) {
    const std::size_t o = r * OC;
    for (std::size_t j = 0; j < OC; ++j) {
      T g = dout[o + j];
      if constexpr (Masked) g = g * mask[o + j];
      const T d = g * (a[o + j] > T(0) ? T(1) : T(0));
      dz[o + j] = d;
      if constexpr (ToBf16) dz_bf16[o + j] = to_bf16(static_cast<float>(d));
      dbias[j] += d;
    }
  }
}


}  // namespace mlp::fused
