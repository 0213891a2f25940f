// Ctrl-C and kill: the first SIGINT or SIGTERM asks the running command to stop (train stops after
// the current batch and saves what it has; the others, which have nothing to save, stop at once
// writing nothing); the exit status is then 128 + the signal (130, 143). A second signal ends the
// process at once: files are only ever replaced whole, so none is left damaged.
#pragma once

#include <stdexcept>
#include <string>

namespace mlp::cli {

// Ends a command that was asked to stop; main exits with 128 + signal. `message` is the one line
// it prints (empty: "interrupted; nothing was written").
struct Interrupted : std::runtime_error {
  Interrupted(int signal, const std::string& message = "") : std::runtime_error(message), signal(signal) {}
  int signal;
};

void install_interrupt_handler();
// The signal that asked to stop (SIGINT or SIGTERM), or 0.
int stop_signal();
// Throws Interrupted once a signal has asked to stop.
void check_interrupt();

}  // namespace mlp::cli
