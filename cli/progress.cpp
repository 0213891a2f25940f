// Progress output while training.
#include "progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace mlp::cli {
namespace {

std::string clock_text(double seconds) {
  char buf[32];
  long s = std::lround(seconds);
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

Progress::Progress(bool quiet, std::size_t epochs)
    : quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0), epochs_(epochs), start_(std::chrono::steady_clock::now()) {}

void Progress::batch(const BatchStats& b) {
  if (quiet_ || !tty_) return;
  loss_sum_ += b.loss;
  ++loss_count_;
  auto now = std::chrono::steady_clock::now();
  if (b.batch != b.batches && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double done = (static_cast<double>(b.epoch - 1) + static_cast<double>(b.batch) / static_cast<double>(b.batches)) /
                static_cast<double>(epochs_);
  double eta = done > 0 ? elapsed * (1 - done) / done : 0;
  const int width = 24;
  int filled = static_cast<int>(std::lround(width * static_cast<double>(b.batch) / static_cast<double>(b.batches)));
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar += std::string(static_cast<std::size_t>(width - filled), '.');
  std::fprintf(stderr, "\r\033[Kepoch %zu/%zu [%s] batch %zu/%zu loss %.4g ETA %s", b.epoch, epochs_, bar.c_str(),
               b.batch, b.batches, loss_sum_ / static_cast<double>(loss_count_), clock_text(eta).c_str());
  std::fflush(stderr);
  bar_open_ = true;
}

void Progress::epoch(const EpochStats& e) {
  if (quiet_) return;
  loss_sum_ = 0;
  loss_count_ = 0;
  finish();
  std::string line = "epoch " + std::to_string(e.epoch) + "/" + std::to_string(epochs_);
  char buf[64];
  std::snprintf(buf, sizeof buf, " %.2fs loss %.6g", e.seconds, e.train_loss);
  line += buf;
  if (!std::isnan(e.val_loss)) {
    std::snprintf(buf, sizeof buf, " val_loss %.6g", e.val_loss);
    line += buf;
  }
  for (const auto& [name, value] : e.val_metrics) {
    if (name != "accuracy" && name != "r2" && name != "rmse") continue;
    std::snprintf(buf, sizeof buf, " val_%s %.4g", name.c_str(), value);
    line += buf;
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

void Progress::finish() {
  if (bar_open_) {
    std::fprintf(stderr, "\r\033[K");
    bar_open_ = false;
  }
}

}  // namespace mlp::cli
