// MLP_CLONES marks a hot loop of our own to be compiled for AVX-512, AVX2 and the baseline in a
// portable build (no -march=native), the CPU picking one when the program loads (GCC's
// target_clones); oneDNN and OpenBLAS dispatch themselves. It is empty in a native build, whose
// loops already use all the machine has, and with other compilers.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__AVX2__)
#define MLP_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MLP_CLONES
#endif
