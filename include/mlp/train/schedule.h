// Learning-rate schedules with torch.optim.lr_scheduler's formulas: the same learning rate
// (and, for one-cycle, momentum) at every step as PyTorch gives.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mlp {

struct ConstantLR {};  // no schedule

struct StepLR {
  std::size_t step_size = 1;
  double gamma = 0.1;
};

struct MultiStepLR {
  std::vector<std::size_t> milestones;
  double gamma = 0.1;
};

struct ExponentialLR {
  double gamma = 0.9;
};

struct CosineAnnealingLR {
  std::size_t t_max = 10;
  double eta_min = 0;
};

// Steps once per batch, as it is used in PyTorch; total_steps = epochs * batches per epoch.
struct OneCycleLR {
  double max_lr = 0.1;
  std::size_t total_steps = 100;
  double pct_start = 0.3;
  bool cos_anneal = true;  // false: linear annealing
  bool cycle_momentum = true;
  double base_momentum = 0.85;
  double max_momentum = 0.95;
  double div_factor = 25;
  double final_div_factor = 1e4;
  bool three_phase = false;
};

struct ReduceLROnPlateau {
  bool mode_max = false;  // false: the metric should go down (a loss)
  double factor = 0.1;
  std::size_t patience = 10;
  double threshold = 1e-4;
  bool threshold_abs = false;  // false: relative threshold ('rel')
  std::size_t cooldown = 0;
  double min_lr = 0;
  double eps = 1e-8;
};

using ScheduleOptions =
    std::variant<ConstantLR, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau>;

// Linear warm-up, combinable with any schedule but one-cycle and reduce-on-plateau (which PyTorch's
// SequentialLR cannot chain): for the first `epochs` epochs the
// learning rate rises linearly from start_factor * lr to lr (torch's LinearLR), then the schedule
// runs from its own epoch 0 (torch's SequentialLR with milestones=[epochs]).
struct Warmup {
  std::size_t epochs = 0;  // 0: no warm-up
  double start_factor = 1.0 / 3.0;
};

class LrScheduler {
 public:
  // Throws InvalidArgument for bad options (gamma <= 0, step_size 0, t_max 0, factor >= 1, ...).
  explicit LrScheduler(ScheduleOptions options = ConstantLR{}, Warmup warmup = {});

  // Begins with the optimizer's learning rate and momentum (momentum is used by one-cycle only).
  // Afterwards lr() and momentum() are the values for the first step.
  void start(double base_lr, std::optional<double> base_momentum = std::nullopt);

  // True for schedules stepped after every batch (one-cycle); the others step after every epoch.
  bool per_batch() const;

  // Advances one step (a batch or an epoch, see per_batch()). `metric` is what plateau watches
  // (the epoch's validation loss, or its training loss when there is no validation data).
  void step(double metric = 0);

  double lr() const { return lr_; }
  // Set only by one-cycle with cycle_momentum.
  std::optional<double> momentum() const { return momentum_; }

  // Where the schedule is, for checkpoints: restore() on a scheduler made with the same options
  // continues exactly where state() was taken (no start() needed).
  struct State {
    double base_lr = 0, lr = 0;
    std::optional<double> base_momentum, momentum;
    std::size_t steps = 0;
    double best = 0;  // reduce-on-plateau
    std::size_t bad_epochs = 0, cooldown_left = 0;
    bool started = false;
  };
  State state() const;
  void restore(const State& state);

 private:
  // One step of each kind of schedule (src/train/schedule.cpp has torch's formulas).
  void step_epoch();
  void step_one_cycle();
  void step_plateau(double metric);

  ScheduleOptions options_;
  Warmup warmup_;
  double base_lr_ = 0;
  std::optional<double> base_momentum_;
  double lr_ = 0;
  std::optional<double> momentum_;
  std::size_t steps_ = 0;  // steps taken since start()
  // ReduceLROnPlateau state.
  double best_ = 0;
  std::size_t bad_epochs_ = 0, cooldown_left_ = 0;
  bool started_ = false;
};

}  // namespace mlp
