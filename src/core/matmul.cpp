// The one place that calls BLAS and oneDNN for products. Small products, where a library call
// costs more than the arithmetic (the tutorial's 2x4 layers), take the plain loops.
#include "mlp/core/matmul.h"

#include <type_traits>

#ifdef MLP_USE_BLAS
#include <cblas.h>
#endif
#ifdef MLP_USE_DNNL
#include "core/onednn_matmul.h"
#endif

namespace mlp {
namespace {

template <typename T>
T widen(T x) {
  return x;
}
float widen(bf16 x) { return to_float(x); }

// Each C[i][j] is one dot product summed in k order, then scaled: the same arithmetic whatever the
// transposes, which are template arguments so that the inner loop has no branch. In is T, or bf16
// for T = float (each input widened exactly).
template <bool TransA, bool TransB, typename T, typename In>
void matmul_loops(T* C, const In* A, const In* B, std::size_t M, std::size_t N, std::size_t K, T alpha, T beta) {
  for (std::size_t i = 0; i < M; ++i) {
    for (std::size_t j = 0; j < N; ++j) {
      T sum = 0;
      for (std::size_t k = 0; k < K; ++k) {
        const T a = widen(TransA ? A[k * M + i] : A[i * K + k]);
        const T b = widen(TransB ? B[j * K + k] : B[k * N + j]);
        sum += a * b;
      }
      T& c = C[i * N + j];
      c = beta == T(0) ? alpha * sum : alpha * sum + beta * c;
    }
  }
}

template <typename T, typename In>
void matmul_loops(T* C, const In* A, const In* B, std::size_t M, std::size_t N, std::size_t K, bool trans_a,
                  bool trans_b, T alpha, T beta) {
  if (trans_a)
    trans_b ? matmul_loops<true, true>(C, A, B, M, N, K, alpha, beta)
            : matmul_loops<true, false>(C, A, B, M, N, K, alpha, beta);
  else
    trans_b ? matmul_loops<false, true>(C, A, B, M, N, K, alpha, beta)
            : matmul_loops<false, false>(C, A, B, M, N, K, alpha, beta);
}

// Below this many multiply-adds the loops win over a library call.
constexpr std::size_t kLibraryMinWork = 4096;
thread_local bool t_onednn = true;  // WithoutOnednnProducts sets it false for its scope

#ifdef MLP_USE_BLAS

void gemm(float* C, const float* A, const float* B, int M, int N, int K, bool ta, bool tb, float alpha,
          float beta) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K,
              alpha, A, ta ? M : K, B, tb ? K : N, beta, C, N);
}
void gemm(double* C, const double* A, const double* B, int M, int N, int K, bool ta, bool tb,
          double alpha, double beta) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K,
              alpha, A, ta ? M : K, B, tb ? K : N, beta, C, N);
}
#endif

}  // namespace

template <typename T>
void matmul(T* C, const T* A, const T* B, std::size_t M, std::size_t N, std::size_t K, bool trans_a,
            bool trans_b, T alpha, T beta) {
  if (M == 0 || N == 0) return;
#ifdef MLP_USE_DNNL
  if constexpr (std::is_same_v<T, float>)
    if (t_onednn && K > 0 && M * N * K >= kLibraryMinWork &&
        detail::onednn_matmul(C, A, B, M, N, K, trans_a, trans_b, alpha, beta))
      return;
#endif
#ifdef MLP_USE_BLAS
  if (M * N * K >= kLibraryMinWork) {
    gemm(C, A, B, static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), trans_a, trans_b, alpha,
         beta);
    return;
  }
#endif
  matmul_loops(C, A, B, M, N, K, trans_a, trans_b, alpha, beta);
}

void matmul(float* C, const bf16* A, const bf16* B, std::size_t M, std::size_t N, std::size_t K, bool trans_a,
            bool trans_b, float alpha, float beta) {
  if (M == 0 || N == 0) return;
#ifdef MLP_USE_DNNL
  if (t_onednn && K > 0 && bf16_products() &&
      detail::onednn_matmul(C, A, B, M, N, K, trans_a, trans_b, alpha, beta))
    return;
#endif
  matmul_loops(C, A, B, M, N, K, trans_a, trans_b, alpha, beta);
}

bool bf16_products() {
#ifdef MLP_USE_DNNL
  static const bool native = detail::onednn_bf16();
  return native;
#else
  return false;
#endif
}

WithoutOnednnProducts::WithoutOnednnProducts() : previous_(t_onednn) { t_onednn = false; }
WithoutOnednnProducts::~WithoutOnednnProducts() { t_onednn = previous_; }

bool onednn_products() {
#ifdef MLP_USE_DNNL
  return t_onednn;
#else
  return false;
#endif
}

template void matmul<float>(float*, const float*, const float*, std::size_t, std::size_t, std::size_t, bool,
                            bool, float, float);
template void matmul<double>(double*, const double*, const double*, std::size_t, std::size_t, std::size_t,
                             bool, bool, double, double);

}  // namespace mlp
