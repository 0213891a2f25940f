// Training progress on stderr: a progress bar (epoch, batch, loss, rows per second, elapsed time
// and ETA) fitted to the terminal's width when stderr is a terminal, one line per epoch
// otherwise, nothing when quiet.
#pragma once

#include <chrono>
#include <cstddef>

#include "mlp/train/trainer.h"

namespace mlp::cli {

class Progress {
 public:
  Progress(bool quiet, std::size_t epochs);
  // Regression on standardized targets: the losses are labelled as such.
  void set_standardized(bool standardized) { loss_label_ = standardized ? "loss(std)" : "loss"; }
  void batch(const BatchStats& b);
  void epoch(const EpochStats& e);
  // Ends an unfinished progress-bar line (before an error or the summary).
  void finish();

 private:
  bool quiet_, tty_;
  std::size_t epochs_;
  bool bar_open_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  double loss_sum_ = 0;
  std::size_t loss_count_ = 0;
  std::size_t rows_ = 0;
  const char* loss_label_ = "loss";
};

}  // namespace mlp::cli
