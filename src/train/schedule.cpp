// Learning-rate schedules as torch.optim.lr_scheduler 1.13 computes them: the recursive
// ("chainable") get_lr formulas, step by step in the same operation order, so every learning
// rate agrees with PyTorch's to the last bit or two (the cosine recursion included).
//
// Warm-up is torch's SequentialLR([LinearLR(start_factor, 1.0, total_iters=E), S], milestones=[E]).
// What torch 1.13 actually does there, and so do we:
//  - start: SequentialLR resets the lr to the initial lr and re-runs only LinearLR's first step,
//    so the first lr is start_factor * lr (S's own constructor step is undone).
//  - steps 1 .. E-1: LinearLR's recursive formula (lr *= 1 + (1 - f) / (E f + (e - 1)(1 - f))).
//  - step E (the milestone): SequentialLR calls S.step(0), and step(epoch) uses S's closed form
//    at epoch 0, not its recursion: base_lr * gamma ** 0 for step/multistep/exponential (exactly
//    base_lr), and eta_min + (base_lr - eta_min) * (1 + cos 0) / 2 for cosine, which can differ from
//    base_lr in the last bit. LinearLR's own last value (at e = E) is never used.
//  - steps after E: S's recursion from that value with S's epoch e - E.
// Warm-up before no schedule is LinearLR alone: its recursion reaches lr at epoch E only up to
// rounding (e.g. 0.1 * 0.1 * ... = 0.09999999999999999 would stay), and holds from there.
// Warm-up with one-cycle or plateau is refused: SequentialLR cannot hold a ReduceLROnPlateau (it
// calls step() without the metric) and one-cycle steps per batch and warms up by itself.
#include "mlp/train/schedule.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "mlp/core/error.h"
#include "core/format.h"

namespace mlp {
namespace {

constexpr double kPi = std::numbers::pi;  // math.pi

// Numbers in messages as Python prints them ("0.0001", "1e-08").
std::string num(double x) { return format_repr(x); }

[[noreturn]] void fail(const char* schedule, const std::string& what) {
  throw InvalidArgument(std::string(schedule) + ": " + what);
}

void require_positive(const char* schedule, const char* option, double v) {
  if (!(v > 0) || !std::isfinite(v)) fail(schedule, std::string(option) + " must be a finite number > 0, got " + num(v));
}

void require_nonnegative(const char* schedule, const char* option, double v) {
  if (!(v >= 0) || !std::isfinite(v))
    fail(schedule, std::string(option) + " must be a finite number >= 0, got " + num(v));
}

// Python's a % m for m > 0: never negative.
long long py_mod(long long a, long long m) { return ((a % m) + m) % m; }

// ---- validation -------------------------------------------------------------------------------

void validate(const ConstantLR&) {}

void validate(const StepLR& s) {
  if (s.step_size == 0) fail("StepLR", "step_size must be at least 1");  // torch: epoch % 0 fails
  require_positive("StepLR", "gamma", s.gamma);
}

void validate(const MultiStepLR& s) {
  require_positive("MultiStepLR", "gamma", s.gamma);
  for (std::size_t i = 0; i < s.milestones.size(); ++i)
    if (s.milestones[i] == 0 || (i > 0 && s.milestones[i] <= s.milestones[i - 1]))
      fail("MultiStepLR", "milestones must be increasing epochs >= 1, got " + std::to_string(s.milestones[i]) +
                              " at index " + std::to_string(i));
}

void validate(const ExponentialLR& s) { require_positive("ExponentialLR", "gamma", s.gamma); }

void validate(const CosineAnnealingLR& s) {
  if (s.t_max == 0) fail("CosineAnnealingLR", "t_max must be at least 1");  // torch divides by it
  require_nonnegative("CosineAnnealingLR", "eta_min", s.eta_min);
}

void validate(const OneCycleLR& s) {
  const char* n = "OneCycleLR";
  require_positive(n, "max_lr", s.max_lr);
  if (s.total_steps == 0) fail(n, "total_steps must be at least 1");
  if (!(s.pct_start >= 0 && s.pct_start <= 1)) fail(n, "pct_start must be in [0, 1], got " + num(s.pct_start));
  require_positive(n, "div_factor", s.div_factor);
  require_positive(n, "final_div_factor", s.final_div_factor);
  if (s.cycle_momentum) {
    require_nonnegative(n, "base_momentum", s.base_momentum);
    require_nonnegative(n, "max_momentum", s.max_momentum);
  }
  // Phases of zero length make torch divide by zero (ZeroDivisionError). The first phase ends at
  // float(pct_start * total_steps) - 1; compared without the subtraction, which a fused multiply-add
  // (-march=native) would compute unrounded.
  const double pct_steps = s.pct_start * static_cast<double>(s.total_steps);
  if (s.three_phase) {
    if (!(pct_steps > 1) || s.pct_start > 0.5)
      fail(n, "three_phase needs pct_start * total_steps > 1 and pct_start <= 0.5, got pct_start " +
                  num(s.pct_start) + " and total_steps " + std::to_string(s.total_steps));
  } else if (pct_steps == 1 || s.pct_start == 1) {
    fail(n, "pct_start " + num(s.pct_start) + " with total_steps " + std::to_string(s.total_steps) +
                " leaves a phase of zero steps (torch divides by zero); pct_start * total_steps must not be 1, "
                "and pct_start must be < 1");
  }
}

void validate(const ReduceLROnPlateau& s) {
  const char* n = "ReduceLROnPlateau";
  if (!(s.factor > 0 && s.factor < 1)) fail(n, "factor must be in (0, 1), got " + num(s.factor));
  require_nonnegative(n, "threshold", s.threshold);
  require_nonnegative(n, "min_lr", s.min_lr);
  require_nonnegative(n, "eps", s.eps);
}

// ---- epoch schedules: torch's recursive get_lr at epoch e >= 1 --------------------------------

double chained(const ConstantLR&, std::size_t, double lr, double) { return lr; }

// StepLR: lr * gamma when e % step_size == 0, else lr.
double chained(const StepLR& s, std::size_t e, double lr, double) {
  return e % s.step_size != 0 ? lr : lr * s.gamma;
}

// MultiStepLR: lr * gamma ** (times e is a milestone) when e is one, else lr. Milestones are
// distinct here, and gamma ** 1 is gamma.
double chained(const MultiStepLR& s, std::size_t e, double lr, double) {
  return std::find(s.milestones.begin(), s.milestones.end(), e) == s.milestones.end() ? lr : lr * s.gamma;
}

// ExponentialLR: lr * gamma.
double chained(const ExponentialLR& s, std::size_t, double lr, double) { return lr * s.gamma; }

// CosineAnnealingLR:
//   (e - 1 - T) % 2T == 0:  lr + (base - eta_min) * (1 - cos(pi / T)) / 2
//   otherwise:              (1 + cos(pi e / T)) / (1 + cos(pi (e - 1) / T)) * (lr - eta_min) + eta_min
double chained(const CosineAnnealingLR& s, std::size_t e, double lr, double base) {
  const double t = static_cast<double>(s.t_max), eta = s.eta_min, de = static_cast<double>(e);
  const auto big_t = static_cast<long long>(s.t_max);
  if (py_mod(static_cast<long long>(e) - 1 - big_t, 2 * big_t) == 0)
    return lr + (base - eta) * (1 - std::cos(kPi / t)) / 2;
  return (1 + std::cos(kPi * de / t)) / (1 + std::cos(kPi * (de - 1) / t)) * (lr - eta) + eta;
}

// Not epoch schedules; never called.
double chained(const OneCycleLR&, std::size_t, double lr, double) { return lr; }
double chained(const ReduceLROnPlateau&, std::size_t, double lr, double) { return lr; }

// The closed form at epoch 0, which SequentialLR's step(0) at the milestone uses:
//   step: base * gamma ** (0 // step_size); multistep: base * gamma ** bisect_right(milestones, 0)
//   (milestones are >= 1 here); exponential: base * gamma ** 0; constant: base.
template <typename S>
double closed_form_at_zero(const S&, double base) {
  return base * 1.0;
}
// cosine: eta_min + (base - eta_min) * (1 + cos(pi * 0 / T)) / 2
double closed_form_at_zero(const CosineAnnealingLR& s, double base) {
  return s.eta_min + (base - s.eta_min) * (1 + std::cos(0.0)) / 2;
}

// LinearLR(start_factor, end_factor=1, total_iters) at epoch e >= 1:
//   e > total_iters: lr
//   otherwise: lr * (1 + (1 - f) / (total_iters * f + (e - 1) * (1 - f)))
double linear_chained(const Warmup& w, std::size_t e, double lr) {
  if (e > w.epochs) return lr;
  const double f = w.start_factor, end = 1.0;
  return lr * (1. + (end - f) / (static_cast<double>(w.epochs) * f + static_cast<double>(e - 1) * (end - f)));
}

// ---- one-cycle --------------------------------------------------------------------------------

double anneal(const OneCycleLR& s, double start, double end, double pct) {
  if (s.cos_anneal) {
    const double cos_out = std::cos(kPi * pct) + 1;  // _annealing_cos
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;  // _annealing_linear
}

struct CyclePoint {
  double lr, momentum;
};

// OneCycleLR.get_lr at step_num: find the phase (the first whose end_step >= step_num, else the
// last), pct = (step_num - start_step) / (end_step - start_step), anneal lr and momentum.
//   initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor
//   two phases:   end pct*T - 1: initial -> max (momentum max -> base); end T - 1: max -> min (base -> max)
//   three phases: end pct*T - 1: initial -> max (max -> base); end 2*pct*T - 2: max -> initial
//                 (base -> max); end T - 1: initial -> min (max -> max)
CyclePoint one_cycle_at(const OneCycleLR& s, std::size_t step_num) {
  struct Phase {
    double end_step, start_lr, end_lr, start_momentum, end_momentum;
  };
  const double initial = s.max_lr / s.div_factor, max = s.max_lr, min = initial / s.final_div_factor;
  const double total = static_cast<double>(s.total_steps), bm = s.base_momentum, mm = s.max_momentum;
  Phase phases[3];
  std::size_t count;
  if (s.three_phase) {
    phases[0] = {s.pct_start * total - 1, initial, max, mm, bm};
    phases[1] = {2 * s.pct_start * total - 2, max, initial, bm, mm};
    phases[2] = {total - 1, initial, min, mm, mm};
    count = 3;
  } else {
    phases[0] = {s.pct_start * total - 1, initial, max, mm, bm};
    phases[1] = {total - 1, max, min, bm, mm};
    count = 2;
  }
  const double step = static_cast<double>(step_num);
  double start_step = 0;
  for (std::size_t i = 0;; ++i) {
    const Phase& p = phases[i];
    if (step <= p.end_step || i == count - 1) {
      const double pct = (step - start_step) / (p.end_step - start_step);
      return {anneal(s, p.start_lr, p.end_lr, pct), anneal(s, p.start_momentum, p.end_momentum, pct)};
    }
    start_step = p.end_step;
  }
}

}  // namespace

// ---- LrScheduler ------------------------------------------------------------------------------

LrScheduler::LrScheduler(ScheduleOptions options, Warmup warmup) : options_(std::move(options)), warmup_(warmup) {
  std::visit([](const auto& s) { validate(s); }, options_);
  if (warmup_.epochs > 0) {
    if (!(warmup_.start_factor > 0 && warmup_.start_factor <= 1))
      fail("warmup", "start_factor must be in (0, 1], got " + num(warmup_.start_factor));
    if (std::holds_alternative<OneCycleLR>(options_))
      fail("warmup", "cannot be combined with OneCycleLR, which warms up by itself (pct_start)");
    if (std::holds_alternative<ReduceLROnPlateau>(options_))
      fail("warmup",
           "cannot be combined with ReduceLROnPlateau (torch's SequentialLR cannot step it with a metric)");
  }
}

bool LrScheduler::per_batch() const { return std::holds_alternative<OneCycleLR>(options_); }

LrScheduler::State LrScheduler::state() const {
  return {base_lr_, lr_, base_momentum_, momentum_, steps_, best_, bad_epochs_, cooldown_left_, started_};
}

void LrScheduler::restore(const State& s) {
  base_lr_ = s.base_lr;
  lr_ = s.lr;
  base_momentum_ = s.base_momentum;
  momentum_ = s.momentum;
  steps_ = s.steps;
  best_ = s.best;
  bad_epochs_ = s.bad_epochs;
  cooldown_left_ = s.cooldown_left;
  started_ = s.started;
}

void LrScheduler::start(double base_lr, std::optional<double> base_momentum) {
  if (!(base_lr >= 0) || !std::isfinite(base_lr))
    throw InvalidArgument("lr scheduler: the learning rate must be a finite number >= 0, got " + num(base_lr));
  base_lr_ = base_lr;
  base_momentum_ = base_momentum;
  steps_ = 0;
  momentum_.reset();
  if (const auto* s = std::get_if<OneCycleLR>(&options_)) {
    // OneCycleLR ignores the optimizer's lr: it starts at max_lr / div_factor (its step 0). It
    // cycles the optimizer's momentum when it has one (SGD and RMSprop even at momentum 0).
    const CyclePoint c = one_cycle_at(*s, 0);
    lr_ = c.lr;
    if (s->cycle_momentum && base_momentum) momentum_ = c.momentum;
  } else if (const auto* s = std::get_if<ReduceLROnPlateau>(&options_)) {
    lr_ = base_lr;
    best_ = s->mode_max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    bad_epochs_ = 0;
    cooldown_left_ = 0;
  } else if (warmup_.epochs > 0) {
    lr_ = base_lr * warmup_.start_factor;  // LinearLR at epoch 0
  } else {
    lr_ = base_lr;  // every epoch schedule's constructor step keeps the lr (no milestone 0 here)
  }
  started_ = true;
}

void LrScheduler::step(double metric) {
  if (!started_) throw InvalidArgument("lr scheduler: step() called before start()");
  if (std::holds_alternative<OneCycleLR>(options_))
    step_one_cycle();
  else if (std::holds_alternative<ReduceLROnPlateau>(options_))
    step_plateau(metric);
  else
    step_epoch();
}

void LrScheduler::step_epoch() {
  const std::size_t e = ++steps_, warm = warmup_.epochs;
  if (warm > 0 && (e < warm || std::holds_alternative<ConstantLR>(options_)))
    lr_ = linear_chained(warmup_, e, lr_);
  else if (warm > 0 && e == warm)
    lr_ = std::visit([&](const auto& s) { return closed_form_at_zero(s, base_lr_); }, options_);
  else
    lr_ = std::visit([&](const auto& s) { return chained(s, e - warm, lr_, base_lr_); }, options_);
}

void LrScheduler::step_one_cycle() {
  const auto& s = std::get<OneCycleLR>(options_);
  // torch allows total_steps steps after the constructor's (the last lr is never used to train)
  // and raises on the next.
  if (steps_ + 1 > s.total_steps)
    throw InvalidArgument("OneCycleLR: step() called more than total_steps (" + std::to_string(s.total_steps) +
                          ") times");
  const CyclePoint c = one_cycle_at(s, ++steps_);
  lr_ = c.lr;
  if (momentum_) momentum_ = c.momentum;
}

// ReduceLROnPlateau.step(metrics):
//   better = metric < best * (1 - threshold)   (min, rel)    metric < best - threshold (min, abs)
//            metric > best * (threshold + 1)   (max, rel)    metric > best + threshold (max, abs)
//   better: best = metric, bad = 0; else bad += 1
//   in cooldown: cooldown -= 1, bad = 0
//   bad > patience: new = max(lr * factor, min_lr), taken if lr - new > eps; cooldown = cooldown; bad = 0
void LrScheduler::step_plateau(double metric) {
  const auto& s = std::get<ReduceLROnPlateau>(options_);
  ++steps_;
  bool better;
  if (!s.mode_max)
    better = s.threshold_abs ? metric < best_ - s.threshold : metric < best_ * (1. - s.threshold);
  else
    better = s.threshold_abs ? metric > best_ + s.threshold : metric > best_ * (s.threshold + 1.);
  if (better) {
    best_ = metric;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    bad_epochs_ = 0;  // ignore any bad epochs in cooldown
  }
  if (bad_epochs_ > s.patience) {
    const double old_lr = lr_, new_lr = std::max(old_lr * s.factor, s.min_lr);
    if (old_lr - new_lr > s.eps) lr_ = new_lr;
    cooldown_left_ = s.cooldown;
    bad_epochs_ = 0;
  }
}

}  // namespace mlp
