// Progress output while training.
#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
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

// The terminal's width in columns: the tty's, else $COLUMNS, else 80.
std::size_t terminal_width() {
  winsize w{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    long n = std::strtol(c, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 80;
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
  rows_ += b.rows;
  char full[160], brief[96];
  const double loss = loss_sum_ / static_cast<double>(loss_count_);
  std::snprintf(full, sizeof full, " %zu/%zu %s %.4g %.0f rows/s %s ETA %s", b.batch, b.batches, loss_label_, loss,
                elapsed > 0 ? static_cast<double>(rows_) / elapsed : 0.0, clock_text(elapsed).c_str(), clock_text(eta).c_str());
  std::snprintf(brief, sizeof brief, " %zu/%zu %s %.4g ETA %s", b.batch, b.batches, loss_label_, loss, clock_text(eta).c_str());
  const std::string head = "epoch " + std::to_string(b.epoch) + "/" + std::to_string(epochs_) + " ";
  // The bar takes what the terminal leaves (8 to 24 columns); a narrow terminal drops the speed
  // and the elapsed time, then the bar; the line never wraps.
  const std::size_t columns = terminal_width() - 1;
  std::string tail = full;
  if (head.size() + tail.size() + 10 > columns) tail = brief;
  const std::size_t fixed = head.size() + tail.size() + 2;
  const std::size_t width = columns >= fixed + 8 ? std::min<std::size_t>(24, columns - fixed) : 0;
  const auto filled = static_cast<std::size_t>(std::lround(static_cast<double>(width) * static_cast<double>(b.batch) /
                                                           static_cast<double>(b.batches)));
  std::string line = head + (width ? "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]" : "") + tail;
  if (line.size() > columns) line.resize(columns);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
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
  std::snprintf(buf, sizeof buf, " %.2fs %s %.6g", e.seconds, loss_label_, e.train_loss);
  line += buf;
  if (!std::isnan(e.val_loss)) {
    std::snprintf(buf, sizeof buf, " val_%s %.6g", loss_label_, e.val_loss);
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
