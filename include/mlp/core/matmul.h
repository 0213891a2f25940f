// Matrix products on row-major buffers: C = alpha * op(A) * op(B) + beta * C, through oneDNN
// (float32) or CBLAS (OpenBLAS) when built with them, portable loops otherwise.
#pragma once

#include <cstddef>

#include "mlp/core/bf16.h"

namespace mlp {

// C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C.
// op(A) is A (M, K) or, with trans_a, A stored (K, M) and transposed; likewise op(B).
// beta = 0 overwrites C (its old contents are ignored, NaN included).
template <typename T>
void matmul(T* C, const T* A, const T* B, std::size_t M, std::size_t N, std::size_t K, bool trans_a,
            bool trans_b, T alpha = T(1), T beta = T(0));

// The mixed-precision product: bfloat16 inputs, float32 accumulation and output. Runs on oneDNN's
// bfloat16 kernels where bf16_products() holds, and on plain loops (each input widened to float32
// exactly) otherwise.
void matmul(float* C, const bf16* A, const bf16* B, std::size_t M, std::size_t N, std::size_t K, bool trans_a,
            bool trans_b, float alpha = 1.0f, float beta = 0.0f);

// Whether this build and CPU run bfloat16 products natively (oneDNN with avx512_bf16 or AMX, within
// any DNNL_MAX_CPU_ISA limit): training in bf16 is worth it only then (Model::set_bf16_products).
bool bf16_products();

// Float32 products of at least 4096 multiply-adds run on oneDNN's matmul primitives (AVX-512
// where the CPU has it; one primitive per shape, kept per thread) when the build has oneDNN, and
// on BLAS otherwise; float64 always takes BLAS (bit-exact with PyTorch). oneDNN allocates a
// constant few blocks inside each product (docs/benchmarks.md).
bool onednn_products();  // whether this thread's float32 products take oneDNN now

// While one lives, the products this thread computes leave oneDNN out: float32 ones take BLAS and
// bfloat16 ones the plain loops (benchmarks and tests compare the paths). Scoped and per thread,
// so no other caller's products change; they nest.
class WithoutOnednnProducts {
 public:
  WithoutOnednnProducts();
  ~WithoutOnednnProducts();
  WithoutOnednnProducts(const WithoutOnednnProducts&) = delete;
  WithoutOnednnProducts& operator=(const WithoutOnednnProducts&) = delete;

 private:
  bool previous_;
};

}  // namespace mlp
