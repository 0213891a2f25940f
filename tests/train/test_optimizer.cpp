// Tests for the optimizers: PyTorch golden runs (tests/fixtures/optimizer_golden.txt, written by
// scripts/gen_optimizer_golden.py) in double and float, hand-worked first steps, hyper-parameter
// validation, set_lr / set_momentum, names and PyTorch's defaults.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/train/optimizer.h"
#include "golden.h"

namespace {

using mlp::InvalidArgument;
using mlp::OptimizerOptions;

// ---- option fields by name --------------------------------------------------------------------

// The fields of an options struct, by the names the golden file (and torch) use.
struct Fields {
  std::map<std::string, double*> number;
  std::map<std::string, bool*> flag;
};

Fields fields(mlp::SGDOptions& o) {
  return {{{"lr", &o.lr}, {"momentum", &o.momentum}, {"dampening", &o.dampening}, {"weight_decay", &o.weight_decay}},
          {{"nesterov", &o.nesterov}}};
}
Fields fields(mlp::AdamOptions& o) {
  return {{{"lr", &o.lr}, {"beta1", &o.beta1}, {"beta2", &o.beta2}, {"eps", &o.eps}, {"weight_decay", &o.weight_decay}},
          {{"amsgrad", &o.amsgrad}}};
}
Fields fields(mlp::AdamWOptions& o) {
  return {{{"lr", &o.lr}, {"beta1", &o.beta1}, {"beta2", &o.beta2}, {"eps", &o.eps}, {"weight_decay", &o.weight_decay}},
          {{"amsgrad", &o.amsgrad}}};
}
Fields fields(mlp::RMSpropOptions& o) {
  return {{{"lr", &o.lr}, {"alpha", &o.alpha}, {"eps", &o.eps}, {"weight_decay", &o.weight_decay}, {"momentum", &o.momentum}},
          {{"centered", &o.centered}}};
}
Fields fields(mlp::AdagradOptions& o) {
  return {{{"lr", &o.lr},
           {"lr_decay", &o.lr_decay},
           {"weight_decay", &o.weight_decay},
           {"initial_accumulator_value", &o.initial_accumulator_value},
           {"eps", &o.eps}},
          {}};
}
Fields fields(OptimizerOptions& o) {
  return std::visit([](auto& v) { return fields(v); }, o);
}

// Sets `key=value` (a number, or true/false) on the options; throws on an unknown key.
void set_option(OptimizerOptions& o, const std::string& assignment) {
  const auto [key, value] = mlp_test::golden_option(assignment);
  Fields f = fields(o);
  if (auto it = f.number.find(key); it != f.number.end())
    *it->second = mlp_test::golden_number(value);
  else if (auto jt = f.flag.find(key); jt != f.flag.end())
    *jt->second = value == "true";
  else
    throw std::runtime_error("unknown option " + key);
}

// ---- golden file ------------------------------------------------------------------------------

struct Step {
  double lr = 0;
  bool set_momentum = false;
  double momentum = 0;
  std::vector<double> grad, after;
};

struct GoldenCase {
  std::string label, name;
  OptimizerOptions options;
  std::vector<double> init;
  std::vector<Step> steps;
};

struct Golden {
  std::vector<GoldenCase> cases;
  std::map<std::string, std::vector<std::string>> defaults;  // name -> key=value
};

const Golden& golden() {
  static const Golden g = [] {
    // "defaults NAME KEY=VALUE ...", then per case "case LABEL NAME KEY=VALUE ...", "init P ...",
    // and "step LR MOMENTUM|- GRAD... AFTER..." lines.
    Golden out;
    for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("optimizer_golden.txt")) {
      if (line.key == "defaults") {
        out.defaults[line.word(0)].assign(line.words.begin() + 1, line.words.end());
      } else if (line.key == "case") {
        GoldenCase c;
        c.label = line.word(0);
        c.name = line.word(1);
        c.options = mlp::default_optimizer_options(c.name);
        for (std::size_t i = 2; i < line.words.size(); ++i) set_option(c.options, line.words[i]);
        out.cases.push_back(c);
      } else if (line.key == "init") {
        out.cases.back().init = line.nums();
      } else if (line.key == "step") {
        const std::size_t n = out.cases.back().init.size();
        Step s;
        s.lr = line.num(0);
        if (line.word(1) != "-") {
          s.set_momentum = true;
          s.momentum = line.num(1);
        }
        const std::vector<double> v = line.nums(2);
        if (v.size() < 2 * n) throw std::runtime_error("short step line in " + out.cases.back().label);
        s.grad.assign(v.begin(), v.begin() + n);
        s.after.assign(v.begin() + n, v.begin() + 2 * n);
        out.cases.back().steps.push_back(s);
      }
    }
    return out;
  }();
  return g;
}

// Replays a case through make_optimizer<T>; returns the largest error relative to
// max(|expected|, floor) over all steps and parameters.
template <typename T>
double replay(const GoldenCase& c, double floor) {
  auto opt = mlp::make_optimizer<T>(c.options);
  EXPECT_EQ(opt->name(), c.name);
  std::vector<T> p(c.init.begin(), c.init.end()), g(p.size());
  double worst = 0;
  for (std::size_t k = 0; k < c.steps.size(); ++k) {
    const Step& s = c.steps[k];
    opt->set_lr(s.lr);
    if (s.set_momentum) opt->set_momentum(s.momentum);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<T>(s.grad[i]);
    opt->step(p.data(), g.data(), p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      double err = std::abs(double(p[i]) - s.after[i]) / std::max(std::abs(s.after[i]), floor);
      worst = std::max(worst, err);
    }
  }
  return worst;
}

TEST(OptimizerGolden, FileCoversEveryOptimizer) {
  const Golden& g = golden();
  ASSERT_GE(g.cases.size(), 30u);
  std::map<std::string, int> per_name;
  for (const auto& c : g.cases) {
    ++per_name[c.name];
    EXPECT_EQ(c.init.size(), 7u) << c.label;
    EXPECT_EQ(c.steps.size(), 25u) << c.label;
  }
  for (const auto& name : mlp::optimizer_names()) EXPECT_GE(per_name[name], 3) << name;
}

// Most steps agree to the last bit; torch's CPU kernels are built with fused multiply-adds, so
// an operation now and then differs by one ulp, and 25 steps grow that to at most ~1.5e-14.
TEST(OptimizerGolden, DoubleMatchesTorchTo1e12) {
  for (const auto& c : golden().cases) {
    double worst = replay<double>(c, 1e-3);
    EXPECT_LT(worst, 1e-12) << c.label;
  }
}

TEST(OptimizerGolden, FloatMatchesTorchToFloatPrecision) {
  // State is kept in float, so rounding accumulates over the 25 steps: most cases stay within
  // 5e-7, RMSprop with momentum (a sum of grad / sqrt(average) terms) reaches 6e-6.
  for (const auto& c : golden().cases) {
    double worst = replay<float>(c, 1e-2);
    if (std::getenv("MLP_SHOW_ERRORS")) std::printf("%-28s double %.2e float %.2e\n", c.label.c_str(), replay<double>(c, 1e-3), worst);
    EXPECT_LT(worst, 2e-5) << c.label;
  }
}

// ---- hand-worked steps ------------------------------------------------------------------------

TEST(Optimizer, SgdPlainStepByHand) {
  auto opt = mlp::make_optimizer<double>(mlp::SGDOptions{.lr = 0.1});
  std::vector<double> p = {1.0, -2.0}, g = {0.5, -4.0};
  opt->step(p.data(), g.data(), 2);
  EXPECT_DOUBLE_EQ(p[0], 0.95);  // 1 - 0.1 * 0.5
  EXPECT_DOUBLE_EQ(p[1], -1.6);  // -2 - 0.1 * -4
}

TEST(Optimizer, SgdMomentumFirstStepUsesTheGradient) {
  auto opt = mlp::make_optimizer<double>(mlp::SGDOptions{.lr = 0.1, .momentum = 0.9, .dampening = 0.5});
  std::vector<double> p = {1.0}, g = {1.0};
  opt->step(p.data(), g.data(), 1);
  EXPECT_DOUBLE_EQ(p[0], 0.9);  // buf = g = 1 (no dampening on the first step); 1 - 0.1 * 1
  opt->step(p.data(), g.data(), 1);
  EXPECT_DOUBLE_EQ(p[0], 0.76);  // buf = 0.9 * 1 + 0.5 * 1 = 1.4; 0.9 - 0.1 * 1.4
}

TEST(Optimizer, AdamFirstStepIsLrTimesSign) {
  // m = 0.1 g, v = 0.001 g^2; m / (1 - 0.9) = g, sqrt(v / (1 - 0.999)) = |g|: the step is lr * g / (|g| + eps).
  auto opt = mlp::make_optimizer<double>(mlp::AdamOptions{.lr = 0.01});
  std::vector<double> p = {1.0, 1.0}, g = {3.0, -0.25};
  opt->step(p.data(), g.data(), 2);
  EXPECT_NEAR(p[0], 1 - 0.01 * 3 / (3 + 1e-8), 1e-15);       // 0.99 but for eps
  EXPECT_NEAR(p[1], 1 + 0.01 * 0.25 / (0.25 + 1e-8), 1e-15);  // 1.01 but for eps
}

TEST(Optimizer, AdamWDecaysBeforeTheUpdate) {
  // p = 2 * (1 - 0.1 * 0.5) = 1.9, then the Adam step of lr 0.1 with zero gradient moves nothing.
  auto opt = mlp::make_optimizer<double>(mlp::AdamWOptions{.lr = 0.1, .weight_decay = 0.5});
  std::vector<double> p = {2.0}, g = {0.0};
  opt->step(p.data(), g.data(), 1);
  EXPECT_DOUBLE_EQ(p[0], 1.9);
}

TEST(Optimizer, AdagradFirstStepByHand) {
  // sum = 0 + 2^2 = 4; p = 1 - 0.1 * 2 / (2 + 1e-10)
  auto opt = mlp::make_optimizer<double>(mlp::AdagradOptions{.lr = 0.1});
  std::vector<double> p = {1.0}, g = {2.0};
  opt->step(p.data(), g.data(), 1);
  EXPECT_NEAR(p[0], 1 - 0.1 * 2 / (2 + 1e-10), 1e-15);
}

TEST(Optimizer, RmspropFirstStepByHand) {
  // sq = 0.01 * 4 = 0.04, avg = 0.2 + 1e-8; p = 1 - 0.01 * 2 / 0.2 = 0.9
  auto opt = mlp::make_optimizer<double>(mlp::RMSpropOptions{});
  std::vector<double> p = {1.0}, g = {2.0};
  opt->step(p.data(), g.data(), 1);
  EXPECT_NEAR(p[0], 0.9, 1e-8);
}

TEST(Optimizer, ParameterCountMustNotChange) {
  for (const auto& name : mlp::optimizer_names()) {
    auto opt = mlp::make_optimizer<float>(mlp::default_optimizer_options(name));
    std::vector<float> p(4, 1.0f), g(4, 0.5f);
    opt->step(p.data(), g.data(), 4);
    try {
      opt->step(p.data(), g.data(), 3);
      ADD_FAILURE() << name << " accepted a changed parameter count";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(name + ": step got 3 parameters"), std::string::npos) << e.what();
    }
  }
}

// ---- validation -------------------------------------------------------------------------------

struct BadCase {
  OptimizerOptions options;
  std::string expected;  // part of the message
};

TEST(OptimizerValidation, BadHyperParametersThrowNamingTheOption) {
  const double nan = std::nan(""), inf = INFINITY;
  const std::vector<BadCase> cases = {
      {mlp::SGDOptions{.lr = -0.1}, "sgd: lr must be a finite number >= 0, got -0.1"},
      {mlp::SGDOptions{.lr = nan}, "sgd: lr must be a finite number >= 0, got nan"},
      {mlp::SGDOptions{.lr = inf}, "sgd: lr"},
      {mlp::SGDOptions{.momentum = -0.5}, "sgd: momentum must be a finite number >= 0, got -0.5"},
      {mlp::SGDOptions{.dampening = 1.5}, "sgd: dampening must be in [0, 1], got 1.5"},
      {mlp::SGDOptions{.weight_decay = -1e-4}, "sgd: weight_decay must be a finite number >= 0, got -0.0001"},
      {mlp::SGDOptions{.nesterov = true}, "sgd: nesterov needs momentum > 0 and dampening 0"},
      {mlp::SGDOptions{.momentum = 0.9, .dampening = 0.1, .nesterov = true},
       "sgd: nesterov needs momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1"},
      {mlp::AdamOptions{.lr = -1}, "adam: lr"},
      {mlp::AdamOptions{.beta1 = 1.0}, "adam: beta1 must be in [0, 1), got 1.0"},
      {mlp::AdamOptions{.beta1 = -0.1}, "adam: beta1"},
      {mlp::AdamOptions{.beta2 = 1.5}, "adam: beta2 must be in [0, 1), got 1.5"},
      {mlp::AdamOptions{.eps = -1e-8}, "adam: eps must be a finite number >= 0, got -1e-08"},
      {mlp::AdamOptions{.weight_decay = -0.1}, "adam: weight_decay"},
      {mlp::AdamWOptions{.lr = nan}, "adamw: lr"},
      {mlp::AdamWOptions{.beta2 = 1.0}, "adamw: beta2"},
      {mlp::AdamWOptions{.eps = -1}, "adamw: eps"},
      {mlp::AdamWOptions{.weight_decay = -0.01}, "adamw: weight_decay"},
      {mlp::RMSpropOptions{.lr = -0.01}, "rmsprop: lr"},
      {mlp::RMSpropOptions{.alpha = -0.5}, "rmsprop: alpha must be in [0, 1], got -0.5"},
      {mlp::RMSpropOptions{.alpha = 1.5}, "rmsprop: alpha"},
      {mlp::RMSpropOptions{.eps = -1e-8}, "rmsprop: eps"},
      {mlp::RMSpropOptions{.weight_decay = -1}, "rmsprop: weight_decay"},
      {mlp::RMSpropOptions{.momentum = -0.9}, "rmsprop: momentum"},
      {mlp::AdagradOptions{.lr = -0.01}, "adagrad: lr"},
      {mlp::AdagradOptions{.lr_decay = -0.1}, "adagrad: lr_decay must be a finite number >= 0, got -0.1"},
      {mlp::AdagradOptions{.weight_decay = -0.1}, "adagrad: weight_decay"},
      {mlp::AdagradOptions{.initial_accumulator_value = -1}, "adagrad: initial_accumulator_value"},
      {mlp::AdagradOptions{.eps = -1e-10}, "adagrad: eps"},
  };
  for (const auto& c : cases) {
    for (int type = 0; type < 2; ++type) {
      try {
        if (type == 0)
          mlp::make_optimizer<double>(c.options);
        else
          mlp::make_optimizer<float>(c.options);
        ADD_FAILURE() << "no error; expected: " << c.expected;
      } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
            << "message: " << e.what() << "\nexpected: " << c.expected;
      }
    }
  }
}

TEST(OptimizerValidation, GoodEdgeValuesAreAccepted) {
  EXPECT_NO_THROW(mlp::make_optimizer<double>(mlp::SGDOptions{.lr = 0, .momentum = 0.9, .nesterov = true}));
  EXPECT_NO_THROW(mlp::make_optimizer<double>(mlp::SGDOptions{.momentum = 0.9, .dampening = 1}));
  EXPECT_NO_THROW(mlp::make_optimizer<double>(mlp::AdamOptions{.beta1 = 0, .beta2 = 0, .eps = 0}));
  EXPECT_NO_THROW(mlp::make_optimizer<double>(mlp::RMSpropOptions{.alpha = 0}));
  EXPECT_NO_THROW(mlp::make_optimizer<double>(mlp::RMSpropOptions{.alpha = 1}));
}

TEST(OptimizerValidation, UnknownNameListsTheValidOnes) {
  try {
    mlp::default_optimizer_options("adamax");
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "unknown optimizer 'adamax'; valid: sgd, adam, adamw, rmsprop, adagrad");
  }
}

// ---- lr, momentum, names, defaults ------------------------------------------------------------

TEST(Optimizer, SetLrChangesTheNextStepAndRefusesBadValues) {
  for (const auto& name : mlp::optimizer_names()) {
    auto opt = mlp::make_optimizer<double>(mlp::default_optimizer_options(name));
    opt->set_lr(0.25);
    EXPECT_EQ(opt->lr(), 0.25) << name;
    EXPECT_THROW(opt->set_lr(-1), InvalidArgument) << name;
    EXPECT_THROW(opt->set_lr(std::nan("")), InvalidArgument) << name;
    EXPECT_EQ(opt->lr(), 0.25) << name;
  }
  // lr 0 freezes SGD's parameters.
  auto sgd = mlp::make_optimizer<double>(mlp::SGDOptions{.lr = 0.5});
  sgd->set_lr(0);
  std::vector<double> p = {1.0}, g = {3.0};
  sgd->step(p.data(), g.data(), 1);
  EXPECT_EQ(p[0], 1.0);
}

TEST(Optimizer, MomentumIsSgdRmspropMomentumAndAdamBeta1) {
  // SGD and RMSprop have a momentum setting even at 0 (torch's one-cycle switches it on).
  auto sgd0 = mlp::make_optimizer<double>(mlp::SGDOptions{});
  EXPECT_TRUE(sgd0->has_momentum());
  EXPECT_EQ(sgd0->momentum(), 0.0);
  auto sgd = mlp::make_optimizer<double>(mlp::SGDOptions{.momentum = 0.9});
  EXPECT_TRUE(sgd->has_momentum());
  EXPECT_EQ(sgd->momentum(), 0.9);
  sgd->set_momentum(0.8);
  EXPECT_EQ(sgd->momentum(), 0.8);
  EXPECT_THROW(sgd->set_momentum(-0.1), InvalidArgument);

  auto nesterov = mlp::make_optimizer<double>(mlp::SGDOptions{.momentum = 0.9, .nesterov = true});
  EXPECT_THROW(nesterov->set_momentum(0), InvalidArgument);  // nesterov needs momentum > 0
  EXPECT_EQ(nesterov->momentum(), 0.9);

  for (std::string name : {"adam", "adamw"}) {
    auto adam = mlp::make_optimizer<double>(mlp::default_optimizer_options(name));
    EXPECT_TRUE(adam->has_momentum()) << name;
    EXPECT_EQ(adam->momentum(), 0.9) << name;
    adam->set_momentum(0.85);
    EXPECT_EQ(adam->momentum(), 0.85) << name;
    EXPECT_THROW(adam->set_momentum(1.0), InvalidArgument) << name;  // beta1 must stay below 1
  }

  EXPECT_TRUE(mlp::make_optimizer<double>(mlp::RMSpropOptions{})->has_momentum());
  auto rms = mlp::make_optimizer<double>(mlp::RMSpropOptions{.momentum = 0.5});
  EXPECT_TRUE(rms->has_momentum());
  rms->set_momentum(0.95);
  EXPECT_EQ(rms->momentum(), 0.95);

  auto adagrad = mlp::make_optimizer<double>(mlp::AdagradOptions{});
  EXPECT_FALSE(adagrad->has_momentum());
  EXPECT_THROW(adagrad->set_momentum(0.9), InvalidArgument);
}

TEST(Optimizer, SetMomentumOnAdamChangesBeta1InTheUpdate) {
  // beta1 = 0 makes the first Adam step lr * g / (|g| + eps) as well, but the second step then
  // uses m = g2 alone: with g1 = 1, g2 = -1 the second step moves by +lr (beta1 0.9 would give a
  // much smaller move).
  auto a = mlp::make_optimizer<double>(mlp::AdamOptions{.lr = 0.1});
  a->set_momentum(0);
  std::vector<double> p = {0.0}, g = {1.0};
  a->step(p.data(), g.data(), 1);
  EXPECT_NEAR(p[0], -0.1, 1e-9);
  g[0] = -1.0;
  a->step(p.data(), g.data(), 1);
  // v = 0.999 * 0.001 + 0.001 = 0.001999, / (1 - 0.999^2) = 1: step = 0.1 * -1 / (1 + eps)
  EXPECT_NEAR(p[0], 0.0, 1e-9);
}

TEST(Optimizer, NamesAndDefaultsMatchTorch) {
  EXPECT_EQ(mlp::optimizer_names(), (std::vector<std::string>{"sgd", "adam", "adamw", "rmsprop", "adagrad"}));
  const auto& defaults = golden().defaults;
  ASSERT_EQ(defaults.size(), 5u);
  for (const auto& name : mlp::optimizer_names()) {
    OptimizerOptions o = mlp::default_optimizer_options(name);
    EXPECT_EQ(mlp::make_optimizer<double>(o)->name(), name);
    Fields f = fields(o);
    std::size_t seen = 0;
    for (const auto& kv : defaults.at(name)) {
      const auto [key, value] = mlp_test::golden_option(kv);
      if (f.number.count(key))
        EXPECT_EQ(*f.number[key], mlp_test::golden_number(value)) << name << " " << key;
      else if (f.flag.count(key))
        EXPECT_EQ(*f.flag[key], value == "true") << name << " " << key;
      else
        ADD_FAILURE() << name << ": torch has option " << key << " that mlp lacks";
      ++seen;
    }
    // Every mlp option has a torch default, except SGD's lr, which torch requires.
    EXPECT_EQ(seen + (name == "sgd" ? 1 : 0), f.number.size() + f.flag.size()) << name;
  }
  EXPECT_EQ(std::get<mlp::SGDOptions>(mlp::default_optimizer_options("sgd")).lr, 0.01);
}

}  // namespace
