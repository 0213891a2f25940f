// Tests for the learning-rate schedules: PyTorch golden sequences (tests/fixtures/schedule_golden.txt,
// written by scripts/gen_schedule_golden.py) replayed through LrScheduler, hand-worked sequences,
// one-cycle's step limit and momentum, restarts, and option validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/train/schedule.h"
#include "golden.h"

namespace {

using mlp::InvalidArgument;
using mlp::LrScheduler;
using mlp::ScheduleOptions;

// ---- option fields by name --------------------------------------------------------------------

struct Fields {
  std::map<std::string, double*> number;
  std::map<std::string, std::size_t*> count;
  std::map<std::string, bool*> flag;
  std::vector<std::size_t>* milestones = nullptr;
};

Fields fields(mlp::ConstantLR&) { return {}; }
Fields fields(mlp::StepLR& s) { return {{{"gamma", &s.gamma}}, {{"step_size", &s.step_size}}, {}}; }
Fields fields(mlp::MultiStepLR& s) { return {{{"gamma", &s.gamma}}, {}, {}, &s.milestones}; }
Fields fields(mlp::ExponentialLR& s) { return {{{"gamma", &s.gamma}}, {}, {}}; }
Fields fields(mlp::CosineAnnealingLR& s) { return {{{"eta_min", &s.eta_min}}, {{"t_max", &s.t_max}}, {}}; }
Fields fields(mlp::OneCycleLR& s) {
  return {{{"max_lr", &s.max_lr},
           {"pct_start", &s.pct_start},
           {"base_momentum", &s.base_momentum},
           {"max_momentum", &s.max_momentum},
           {"div_factor", &s.div_factor},
           {"final_div_factor", &s.final_div_factor}},
          {{"total_steps", &s.total_steps}},
          {{"cos_anneal", &s.cos_anneal}, {"cycle_momentum", &s.cycle_momentum}, {"three_phase", &s.three_phase}}};
}
Fields fields(mlp::ReduceLROnPlateau& s) {
  return {{{"factor", &s.factor}, {"threshold", &s.threshold}, {"min_lr", &s.min_lr}, {"eps", &s.eps}},
          {{"patience", &s.patience}, {"cooldown", &s.cooldown}},
          {{"mode_max", &s.mode_max}, {"threshold_abs", &s.threshold_abs}}};
}

ScheduleOptions schedule_named(const std::string& name) {
  if (name == "constant") return mlp::ConstantLR{};
  if (name == "step") return mlp::StepLR{};
  if (name == "multistep") return mlp::MultiStepLR{};
  if (name == "exponential") return mlp::ExponentialLR{};
  if (name == "cosine") return mlp::CosineAnnealingLR{};
  if (name == "onecycle") return mlp::OneCycleLR{};
  if (name == "plateau") return mlp::ReduceLROnPlateau{};
  throw std::runtime_error("unknown schedule " + name);
}

// ---- golden file ------------------------------------------------------------------------------

struct GoldenCase {
  std::string label, name;
  ScheduleOptions options;
  mlp::Warmup warmup;
  double base_lr = 0;
  std::optional<double> momentum;  // passed to start()
  std::size_t steps = 0;
  std::vector<double> metric, lr, expected_momentum;
};

void set_option(GoldenCase& c, const std::string& assignment) {
  const auto [key, value] = mlp_test::golden_option(assignment);
  using mlp_test::golden_number;
  if (key == "warmup") return void(c.warmup.epochs = std::stoul(value));
  if (key == "start_factor") return void(c.warmup.start_factor = golden_number(value));
  if (key == "base_lr") return void(c.base_lr = golden_number(value));
  if (key == "optimizer") return;  // what torch's momentum was: SGD's momentum or Adam's beta1
  if (key == "momentum") return void(c.momentum = value == "-" ? std::nullopt : std::optional(golden_number(value)));
  if (key == "steps") return void(c.steps = std::stoul(value));
  Fields f = std::visit([](auto& s) { return fields(s); }, c.options);
  if (auto it = f.number.find(key); it != f.number.end())
    *it->second = golden_number(value);
  else if (auto jt = f.count.find(key); jt != f.count.end())
    *jt->second = std::stoul(value);
  else if (auto kt = f.flag.find(key); kt != f.flag.end())
    *kt->second = value == "true";
  else if (key == "milestones" && f.milestones) {
    std::istringstream list(value);
    std::string m;
    while (std::getline(list, m, ',')) f.milestones->push_back(std::stoul(m));
  } else {
    throw std::runtime_error("unknown option " + key + " in " + c.label);
  }
}

const std::vector<GoldenCase>& golden() {
  static const std::vector<GoldenCase> cases = [] {
    // "case LABEL NAME KEY=VALUE ...", then "metric ...", "lr ...", "momentum ..." lines.
    std::vector<GoldenCase> out;
    for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("schedule_golden.txt")) {
      if (line.key == "case") {
        GoldenCase c;
        c.label = line.word(0);
        c.name = line.word(1);
        c.options = schedule_named(c.name);
        for (std::size_t i = 2; i < line.words.size(); ++i) set_option(c, line.words[i]);
        out.push_back(c);
      } else if (line.key == "metric") {
        out.back().metric = line.nums();
      } else if (line.key == "lr") {
        out.back().lr = line.nums();
      } else if (line.key == "momentum") {
        out.back().expected_momentum = line.nums();
      }
    }
    return out;
  }();
  return cases;
}

double rel_error(double got, double want) {
  if (got == want) return 0;
  return std::abs(got - want) / std::max(std::abs(want), 1e-300);
}

// Replays a case; returns the largest relative error of lr and momentum over all steps.
double replay(const GoldenCase& c) {
  LrScheduler s(c.options, c.warmup);
  s.start(c.base_lr, c.momentum);
  double worst = 0;
  for (std::size_t k = 0; k <= c.steps; ++k) {
    if (k > 0) s.step(c.metric.empty() ? 0.0 : c.metric[k - 1]);
    worst = std::max(worst, rel_error(s.lr(), c.lr[k]));
    if (c.expected_momentum.empty()) {
      EXPECT_FALSE(s.momentum().has_value()) << c.label << " step " << k;
    } else if (!s.momentum()) {
      ADD_FAILURE() << c.label << ": no momentum at step " << k;
      return INFINITY;
    } else {
      worst = std::max(worst, rel_error(*s.momentum(), c.expected_momentum[k]));
    }
  }
  return worst;
}

TEST(ScheduleGolden, FileCoversEverySchedule) {
  std::map<std::string, int> per_name;
  int warmups = 0;
  for (const auto& c : golden()) {
    ++per_name[c.name];
    warmups += c.warmup.epochs > 0;
    EXPECT_GE(c.steps, 30u) << c.label;
    EXPECT_EQ(c.lr.size(), c.steps + 1) << c.label;
    if (c.name == "plateau") {
      EXPECT_EQ(c.metric.size(), c.steps) << c.label;
    }
    if (!c.expected_momentum.empty()) {
      EXPECT_EQ(c.expected_momentum.size(), c.steps + 1) << c.label;
    }
  }
  for (std::string name : {"step", "multistep", "exponential", "cosine", "onecycle", "plateau"})
    EXPECT_GE(per_name[name], 2) << name;
  EXPECT_GE(per_name["onecycle"], 5);
  EXPECT_GE(per_name["plateau"], 5);
  EXPECT_GE(warmups, 6);
}

TEST(ScheduleGolden, MatchesTorchTo1e12) {
  for (const auto& c : golden()) {
    const double worst = replay(c);
    if (std::getenv("MLP_SHOW_ERRORS")) std::printf("%-34s %.2e\n", c.label.c_str(), worst);
    EXPECT_LT(worst, 1e-12) << c.label;
  }
}

// The lr sequence after start(lr) and `steps` steps with metric 0.
std::vector<double> run(LrScheduler& s, double lr, std::size_t steps, std::vector<double> metrics = {}) {
  s.start(lr);
  std::vector<double> out = {s.lr()};
  for (std::size_t k = 0; k < steps; ++k) {
    s.step(k < metrics.size() ? metrics[k] : 0.0);
    out.push_back(s.lr());
  }
  return out;
}

// ---- hand-worked sequences --------------------------------------------------------------------

TEST(Schedule, ConstantKeepsTheLr) {
  LrScheduler s;
  EXPECT_EQ(run(s, 0.5, 3), (std::vector<double>{0.5, 0.5, 0.5, 0.5}));
  EXPECT_FALSE(s.per_batch());
  EXPECT_FALSE(s.momentum());
}

TEST(Schedule, StepHalvesEveryTwoEpochs) {
  LrScheduler s(mlp::StepLR{.step_size = 2, .gamma = 0.5});
  EXPECT_EQ(run(s, 1.0, 5), (std::vector<double>{1, 1, 0.5, 0.5, 0.25, 0.25}));
}

TEST(Schedule, MultiStepAtItsMilestones) {
  LrScheduler s(mlp::MultiStepLR{.milestones = {1, 3}, .gamma = 0.5});
  EXPECT_EQ(run(s, 1.0, 4), (std::vector<double>{1, 0.5, 0.5, 0.25, 0.25}));
}

TEST(Schedule, WarmupThenStep) {
  // LinearLR(0.25, total_iters=4) on lr 1: 0.25, then * (1 + 0.75 / (4 * 0.25 + (e - 1) * 0.75)):
  // 0.25 * 1.75 = 0.4375, * (1 + 0.75 / 1.75) = 0.625, * (1 + 0.75 / 2.5) = 0.8125; epoch 4 is the
  // milestone (StepLR's closed form at 0: lr 1), then StepLR(2, 0.5) from its epoch 1.
  LrScheduler s(mlp::StepLR{.step_size = 2, .gamma = 0.5}, mlp::Warmup{.epochs = 4, .start_factor = 0.25});
  auto lr = run(s, 1.0, 8);
  const std::vector<double> want = {0.25, 0.4375, 0.625, 0.8125, 1, 1, 0.5, 0.5, 0.25};
  ASSERT_EQ(lr.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(lr[i], want[i], 1e-15) << i;
}

TEST(Schedule, WarmupMilestoneUsesTheClosedFormLikeTorch) {
  // torch's SequentialLR steps the cosine schedule with step(0) at the milestone, which takes the
  // closed form eta_min + (lr - eta_min) * (1 + cos 0) / 2: here 0.30000000000000004, not 0.3.
  LrScheduler s(mlp::CosineAnnealingLR{.t_max = 20, .eta_min = 0.03}, mlp::Warmup{.epochs = 7, .start_factor = 0.3});
  auto lr = run(s, 0.3, 8);
  EXPECT_EQ(lr[7], 0.30000000000000004);
  EXPECT_EQ(lr[7], 0.03 + (0.3 - 0.03));
  EXPECT_LT(lr[8], lr[7]);
}

TEST(Schedule, WarmupAloneEndsWhereLinearLrsRecursionEnds) {
  // LinearLR(0.5, total_iters=3) on 0.1: 0.05 * (1 + 0.5 / 1.5) * (1 + 0.5 / 2) * (1 + 0.5 / 2.5)
  // is 0.09999999999999999 in doubles, and stays; with a schedule after it, the milestone's
  // closed form gives exactly 0.1.
  LrScheduler alone(mlp::ConstantLR{}, mlp::Warmup{.epochs = 3, .start_factor = 0.5});
  auto lr = run(alone, 0.1, 5);
  EXPECT_EQ(lr[3], 0.09999999999999999);
  EXPECT_EQ(lr[5], 0.09999999999999999);
  LrScheduler then_step(mlp::StepLR{.step_size = 10}, mlp::Warmup{.epochs = 3, .start_factor = 0.5});
  lr = run(then_step, 0.1, 5);
  EXPECT_EQ(lr[2], 0.08333333333333333);  // the same warm-up up to the milestone
  EXPECT_EQ(lr[3], 0.1);
  EXPECT_EQ(lr[5], 0.1);
}

TEST(Schedule, CosineReachesEtaMinAtTMaxAndComesBack) {
  LrScheduler s(mlp::CosineAnnealingLR{.t_max = 4, .eta_min = 0.1});
  auto lr = run(s, 1.0, 8);
  EXPECT_NEAR(lr[2], 0.55, 1e-15);  // 0.1 + 0.9 * (1 + cos(pi / 2)) / 2
  EXPECT_NEAR(lr[4], 0.1, 1e-15);
  EXPECT_NEAR(lr[6], 0.55, 1e-15);
  EXPECT_NEAR(lr[8], 1.0, 1e-15);
}

TEST(Schedule, PlateauReducesAfterPatienceAndCoolsDown) {
  // min mode, patience 1, cooldown 1, factor 0.5: the best 1.0 at step 1; 2 and 3 are bad (the
  // second exceeds patience: 0.5), step 4 is cooldown, steps 5 and 6 bad again (0.25).
  LrScheduler s(mlp::ReduceLROnPlateau{.factor = 0.5, .patience = 1, .cooldown = 1});
  EXPECT_EQ(run(s, 1.0, 6, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0}), (std::vector<double>{1, 1, 1, 0.5, 0.5, 0.5, 0.25}));
}

TEST(Schedule, PlateauStopsAtMinLr) {
  LrScheduler s(mlp::ReduceLROnPlateau{.factor = 0.5, .patience = 0, .min_lr = 0.3});
  EXPECT_EQ(run(s, 1.0, 4, {1, 1, 1, 1}), (std::vector<double>{1, 1, 0.5, 0.3, 0.3}));
}

// ---- one-cycle --------------------------------------------------------------------------------

TEST(Schedule, OneCycleIsPerBatchAndStartsAtMaxOverDiv) {
  LrScheduler s(mlp::OneCycleLR{.max_lr = 1.0, .total_steps = 10, .div_factor = 4});
  EXPECT_TRUE(s.per_batch());
  s.start(123.0, 0.9);  // the optimizer's lr is not used
  EXPECT_NEAR(s.lr(), 0.25, 1e-15);
  ASSERT_TRUE(s.momentum());
  EXPECT_NEAR(*s.momentum(), 0.95, 1e-15);  // max_momentum, not the optimizer's 0.9
}

TEST(Schedule, OneCycleAllowsTotalStepsStepsThenThrows) {
  LrScheduler s(mlp::OneCycleLR{.total_steps = 30});
  s.start(0.1, 0.9);
  for (int k = 0; k < 30; ++k) s.step();
  try {
    s.step();
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "OneCycleLR: step() called more than total_steps (30) times");
  }
}

TEST(Schedule, OneCycleMomentumNeedsAnOptimizerMomentum) {
  LrScheduler s(mlp::OneCycleLR{.total_steps = 30});
  s.start(0.1);  // e.g. Adagrad: nothing to cycle
  EXPECT_FALSE(s.momentum());
  s.step();
  EXPECT_FALSE(s.momentum());
  LrScheduler off(mlp::OneCycleLR{.total_steps = 30, .cycle_momentum = false});
  off.start(0.1, 0.9);
  EXPECT_FALSE(off.momentum());
}

// ---- restarts and misuse ----------------------------------------------------------------------

TEST(Schedule, StartBeginsAgain) {
  for (const auto& c : golden()) {
    if (c.label != "plateau_cooldown" && c.label != "warmup_cosine" && c.label != "onecycle_three_phase") continue;
    for (std::size_t first_run = 1; first_run <= 20; ++first_run) {  // restart from every state
      LrScheduler s(c.options, c.warmup);
      s.start(c.base_lr, c.momentum);
      for (std::size_t k = 0; k < first_run; ++k) s.step(c.metric.empty() ? 0.0 : c.metric[k]);
      s.start(c.base_lr, c.momentum);
      EXPECT_EQ(s.lr(), c.lr[0]) << c.label;
      for (std::size_t k = 0; k < c.steps; ++k) {
        s.step(c.metric.empty() ? 0.0 : c.metric[k]);
        ASSERT_LT(rel_error(s.lr(), c.lr[k + 1]), 1e-12) << c.label << " restarted after " << first_run << ", step " << k + 1;
      }
    }
  }
}

TEST(Schedule, PlateauStartForgetsTheCooldown) {
  // patience 0, cooldown 2: the second equal metric reduces the lr and starts a cooldown. After a
  // restart the cooldown is gone, so the second step reduces again.
  LrScheduler s(mlp::ReduceLROnPlateau{.factor = 0.5, .patience = 0, .cooldown = 2});
  const std::vector<double> want = {1, 1, 0.5};
  EXPECT_EQ(run(s, 1.0, 2, {1, 1}), want);
  EXPECT_EQ(run(s, 1.0, 2, {1, 1}), want);
}

TEST(Schedule, StepBeforeStartThrows) {
  LrScheduler s(mlp::StepLR{});
  EXPECT_THROW(s.step(), InvalidArgument);
}

TEST(Schedule, StartRefusesABadLr) {
  LrScheduler s;
  EXPECT_THROW(s.start(-0.1), InvalidArgument);
  EXPECT_THROW(s.start(std::nan("")), InvalidArgument);
}

// ---- validation -------------------------------------------------------------------------------

struct BadCase {
  ScheduleOptions options;
  mlp::Warmup warmup;
  std::string expected;  // part of the message
};

TEST(ScheduleValidation, BadOptionsThrowNamingTheOption) {
  const std::vector<BadCase> cases = {
      {mlp::StepLR{.step_size = 0}, {}, "StepLR: step_size must be at least 1"},
      {mlp::StepLR{.gamma = 0}, {}, "StepLR: gamma must be a finite number > 0, got 0.0"},
      {mlp::StepLR{.gamma = -0.5}, {}, "StepLR: gamma must be a finite number > 0, got -0.5"},
      {mlp::MultiStepLR{.milestones = {3, 3}}, {}, "MultiStepLR: milestones must be increasing epochs >= 1, got 3 at index 1"},
      {mlp::MultiStepLR{.milestones = {5, 2}}, {}, "MultiStepLR: milestones must be increasing"},
      {mlp::MultiStepLR{.milestones = {0, 2}}, {}, "MultiStepLR: milestones must be increasing epochs >= 1, got 0"},
      {mlp::MultiStepLR{.milestones = {2}, .gamma = std::nan("")}, {}, "MultiStepLR: gamma"},
      {mlp::ExponentialLR{.gamma = 0}, {}, "ExponentialLR: gamma"},
      {mlp::ExponentialLR{.gamma = INFINITY}, {}, "ExponentialLR: gamma must be a finite number > 0, got inf"},
      {mlp::CosineAnnealingLR{.t_max = 0}, {}, "CosineAnnealingLR: t_max must be at least 1"},
      {mlp::CosineAnnealingLR{.eta_min = -1e-3}, {}, "CosineAnnealingLR: eta_min must be a finite number >= 0, got -0.001"},
      {mlp::OneCycleLR{.max_lr = 0}, {}, "OneCycleLR: max_lr"},
      {mlp::OneCycleLR{.total_steps = 0}, {}, "OneCycleLR: total_steps must be at least 1"},
      {mlp::OneCycleLR{.pct_start = 1.5}, {}, "OneCycleLR: pct_start must be in [0, 1], got 1.5"},
      {mlp::OneCycleLR{.pct_start = -0.1}, {}, "OneCycleLR: pct_start"},
      {mlp::OneCycleLR{.pct_start = 1.0}, {}, "OneCycleLR: pct_start 1.0 with total_steps 100 leaves a phase of zero"},
      {mlp::OneCycleLR{.total_steps = 10, .pct_start = 0.1}, {}, "OneCycleLR: pct_start 0.1 with total_steps 10"},
      {mlp::OneCycleLR{.pct_start = 0.6, .three_phase = true}, {}, "OneCycleLR: three_phase needs"},
      {mlp::OneCycleLR{.total_steps = 2, .pct_start = 0.5, .three_phase = true}, {}, "OneCycleLR: three_phase needs"},
      {mlp::OneCycleLR{.base_momentum = -0.85}, {}, "OneCycleLR: base_momentum"},
      {mlp::OneCycleLR{.max_momentum = std::nan("")}, {}, "OneCycleLR: max_momentum"},
      {mlp::OneCycleLR{.div_factor = 0}, {}, "OneCycleLR: div_factor"},
      {mlp::OneCycleLR{.final_div_factor = -1}, {}, "OneCycleLR: final_div_factor"},
      {mlp::ReduceLROnPlateau{.factor = 1.0}, {}, "ReduceLROnPlateau: factor must be in (0, 1), got 1.0"},
      {mlp::ReduceLROnPlateau{.factor = 0}, {}, "ReduceLROnPlateau: factor"},
      {mlp::ReduceLROnPlateau{.threshold = -1e-4}, {}, "ReduceLROnPlateau: threshold"},
      {mlp::ReduceLROnPlateau{.min_lr = -1}, {}, "ReduceLROnPlateau: min_lr"},
      {mlp::ReduceLROnPlateau{.eps = -1}, {}, "ReduceLROnPlateau: eps"},
      {mlp::StepLR{}, {.epochs = 3, .start_factor = 0}, "warmup: start_factor must be in (0, 1], got 0.0"},
      {mlp::ConstantLR{}, {.epochs = 3, .start_factor = 1.5}, "warmup: start_factor"},
      {mlp::OneCycleLR{}, {.epochs = 3}, "warmup: cannot be combined with OneCycleLR"},
      {mlp::ReduceLROnPlateau{}, {.epochs = 3}, "warmup: cannot be combined with ReduceLROnPlateau"},
  };
  for (const auto& c : cases) {
    try {
      LrScheduler s(c.options, c.warmup);
      ADD_FAILURE() << "no error; expected: " << c.expected;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
          << "message: " << e.what() << "\nexpected: " << c.expected;
    }
  }
}

TEST(ScheduleValidation, GoodEdgeValuesAreAccepted) {
  EXPECT_NO_THROW(LrScheduler(mlp::OneCycleLR{.pct_start = 0}));  // torch anneals from step 0
  EXPECT_NO_THROW(LrScheduler(mlp::OneCycleLR{.total_steps = 1}));
  EXPECT_NO_THROW(LrScheduler(mlp::OneCycleLR{.pct_start = 0.5, .three_phase = true}));
  EXPECT_NO_THROW(LrScheduler(mlp::MultiStepLR{}));
  EXPECT_NO_THROW(LrScheduler(mlp::CosineAnnealingLR{.t_max = 1}));
  // Warm-up options are unused without warm-up epochs.
  EXPECT_NO_THROW(LrScheduler(mlp::OneCycleLR{}, mlp::Warmup{.epochs = 0, .start_factor = 5}));
  EXPECT_NO_THROW(LrScheduler(mlp::ReduceLROnPlateau{}, mlp::Warmup{}));
  EXPECT_NO_THROW(LrScheduler(mlp::StepLR{}, mlp::Warmup{.epochs = 2, .start_factor = 1}));
}

}  // namespace
