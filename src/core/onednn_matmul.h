// Float32 products through oneDNN's matmul primitives (builds with oneDNN only): one primitive
// per shape, made on first use and kept per thread with its memory objects, which each call only
// re-points (set_data_handle) before it executes; the scratchpad is ours, made once.
#pragma once

#include <cstddef>

#include "mlp/core/bf16.h"

namespace mlp::detail {

// C (M, N) = alpha * op(A) * op(B) + beta * C, as mlp::matmul. Returns false, computing nothing,
// when oneDNN has no primitive for it.
// In is float or bf16 (bfloat16 inputs, float32 accumulation).
template <typename In>
bool onednn_matmul(float* C, const In* A, const In* B, std::size_t M, std::size_t N, std::size_t K, bool trans_a,
                   bool trans_b, float alpha, float beta);

// Whether oneDNN runs bfloat16 products natively here (avx512_core_bf16 or better, within any
// DNNL_MAX_CPU_ISA limit).
bool onednn_bf16();

}  // namespace mlp::detail
