// Inverted dropout, as torch.nn.functional.dropout in training: each value is kept with probability
// 1 - p and scaled by 1 / (1 - p), or zeroed, so the expected output equals the input. In evaluation
// dropout is the identity and needs no call. Model applies it after each hidden activation.
#pragma once

#include <cstddef>

#include "mlp/core/random.h"

namespace mlp {

// One rng.rand() per value, in index order: mask (n) = 0 where the draw is < p, else 1 / (1 - p);
// out (n) = inp (n) * mask. Overwrites out and mask; out may be inp. p in [0, 1), else
// InvalidArgument.
template <typename T>
void dropout_forward(T* out, T* mask, const T* inp, double p, std::size_t n, Random& rng);

// Given dout (n) = dLoss/dout and the forward pass's mask (n): dinp (n) = dout * mask.
// Overwrites dinp; dinp may be dout.
template <typename T>
void dropout_backward(T* dinp, const T* dout, const T* mask, std::size_t n);

}  // namespace mlp
