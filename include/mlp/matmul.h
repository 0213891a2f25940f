// Matrix products on row-major buffers: C = alpha * op(A) * op(B) + beta * C,
// through CBLAS (OpenBLAS) when built with it, portable loops otherwise.
#pragma once

#include <cstddef>

namespace mlp {

// C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C.
// op(A) is A (M, K) or, with trans_a, A stored (K, M) and transposed; likewise op(B).
// beta = 0 overwrites C (its old contents are ignored, NaN included).
template <typename T>
void matmul(T* C, const T* A, const T* B, std::size_t M, std::size_t N, std::size_t K, bool trans_a,
            bool trans_b, T alpha = T(1), T beta = T(0));

}  // namespace mlp
