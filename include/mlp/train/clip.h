// Gradient clipping over the flat gradient buffer, as torch.nn.utils.clip_grad_norm_ and
// clip_grad_value_ (over all parameters at once).
#pragma once

#include <cstddef>

namespace mlp {

// Scales grads (n) so that their L2 norm is at most max_norm: by max_norm / (norm + 1e-6) when that
// is below 1, as PyTorch. Returns the norm before clipping.
template <typename T>
double clip_grad_norm(T* grads, std::size_t n, double max_norm);

// Clamps each of grads (n) to [-clip, clip].
template <typename T>
void clip_grad_value(T* grads, std::size_t n, double clip);

}  // namespace mlp
