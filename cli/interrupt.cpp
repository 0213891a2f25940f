// The stop flag and its signal handler.
#include "interrupt.h"

#include <csignal>

namespace mlp::cli {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int signal) {
  if (g_signal) {  // the second: at once, as the signal would without the handler
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
  g_signal = signal;
}

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

int stop_signal() { return g_signal; }

void check_interrupt() {
  if (g_signal) throw Interrupted(g_signal);
}

}  // namespace mlp::cli
