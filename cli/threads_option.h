// --threads N, shared by train, predict and eval: the library's one thread setting
// (mlp::set_threads: OpenBLAS's threads and oneDNN's OpenMP threads).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "mlp/core/error.h"
#include "mlp/core/threads.h"

namespace mlp::cli {

inline void add_threads_option(CLI::App* cmd, int& threads) {
  cmd->add_option("--threads", threads, "Threads for matrix products (default: all cores)");
}

// 0, the option's default, leaves the library's own setting (all cores).
inline void apply_threads_option(int threads) {
  if (threads < 0) throw InvalidArgument("--threads must be at least 1, got " + std::to_string(threads));
  if (threads > 0) set_threads(threads);
}

}  // namespace mlp::cli
