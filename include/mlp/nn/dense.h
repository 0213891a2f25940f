// The dense (fully connected) layer: y = x · Wᵀ + b, with W stored (out, in)
// as in the tutorial and in torch.nn.Linear.
#pragma once

#include <cstddef>

#include "mlp/core/bf16.h"
#include "mlp/core/tensor.h"

namespace mlp {

// out (B, OC) = inp (B, C) · weight (OC, C)ᵀ + bias (OC). bias may be null (no bias).
template <typename T>
void dense_forward(T* out, const T* inp, const T* weight, const T* bias, std::size_t B, std::size_t C,
                   std::size_t OC);

// Given dout (B, OC) = dLoss/dout:
//   dweight (OC, C) += doutᵀ · inp   (adds into dweight)
//   dbias (OC)      += sum of dout's rows   (adds into dbias; skipped when null)
//   dinp (B, C)      = dout · weight   (overwrites dinp; skipped when null)
template <typename T>
void dense_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight,
                    std::size_t B, std::size_t C, std::size_t OC);

// Mixed precision (bfloat16 products, float32 accumulation): the same passes with the products'
// inputs in bfloat16 (matmul.h), the bias, its gradient and every output in float32. dout is the
// float32 gradient (for dbias), dout_b the same rounded to bfloat16 (for the products).
void dense_forward(float* out, const bf16* inp, const bf16* weight, const float* bias, std::size_t B, std::size_t C,
                   std::size_t OC);
void dense_backward(float* dinp, float* dweight, float* dbias, const float* dout, const bf16* dout_b,
                    const bf16* inp, const bf16* weight, std::size_t B, std::size_t C, std::size_t OC);

// Checked forms on matrices: the shapes must agree, or ShapeError names both.
// x (B, C), weight (OC, C), bias (1, OC) -> (B, OC).
template <typename T>
Matrix<T> dense_forward(const Matrix<T>& x, const Matrix<T>& weight, const Matrix<T>& bias);

}  // namespace mlp
