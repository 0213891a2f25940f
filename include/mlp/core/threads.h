// How many threads the library computes with: one setting for BLAS (OpenBLAS) and any threading
// of our own, so that the two never oversubscribe the cores. The CLI's --threads sets it.
#pragma once

namespace mlp {

// Sets the thread count for everything that follows (n >= 1; InvalidArgument otherwise). Built
// with OpenBLAS, this also calls openblas_set_num_threads(n); with oneDNN, omp_set_num_threads(n)
// (which OpenMP applies to work started from the calling thread). Not meant to be called while another
// thread is computing.
void set_threads(int n);

// The current setting: the last set_threads value, or before any, the default — OpenBLAS's own
// (OPENBLAS_NUM_THREADS, else the core count) when built with it, else the hardware's thread count.
int threads();

}  // namespace mlp
