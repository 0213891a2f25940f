// The SIGINT flag and its handler.
#include "interrupt.h"

#include <csignal>

namespace mlp::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) {
  if (g_interrupted) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
  g_interrupted = 1;
}

}  // namespace

void install_interrupt_handler() { std::signal(SIGINT, on_sigint); }

void check_interrupt() {
  if (g_interrupted) throw Interrupted();
}

}  // namespace mlp::cli
