// Ctrl-C: the first SIGINT asks the running command to stop at the next batch (it then exits
// with status 130, having written nothing half-done); a second one ends the process at once.
#pragma once

#include <stdexcept>

namespace mlp::cli {

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

void install_interrupt_handler();
// Throws Interrupted once SIGINT has arrived.
void check_interrupt();

}  // namespace mlp::cli
