// The library's one thread setting, passed on to OpenBLAS and to oneDNN's OpenMP threads when
// built with them.
#include "mlp/core/threads.h"

#include <atomic>
#include <string>
#include <thread>

#include "mlp/core/error.h"

#ifdef MLP_USE_BLAS
#include <cblas.h>
#endif
#ifdef MLP_USE_DNNL
#include <omp.h>  // oneDNN (Debian's build) runs on OpenMP's threads
#endif

namespace mlp {
namespace {

std::atomic<int> g_threads{0};  // 0: not set yet

int default_threads() {
#ifdef MLP_USE_BLAS
  return openblas_get_num_threads();
#else
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
#endif
}

}  // namespace

void set_threads(int n) {
  if (n < 1) throw InvalidArgument("threads: need at least 1, got " + std::to_string(n));
#ifdef MLP_USE_BLAS
  openblas_set_num_threads(n);
#endif
#ifdef MLP_USE_DNNL
  omp_set_num_threads(n);
#endif
  g_threads.store(n, std::memory_order_relaxed);
}

int threads() {
  const int n = g_threads.load(std::memory_order_relaxed);
  return n > 0 ? n : default_threads();
}

}  // namespace mlp
