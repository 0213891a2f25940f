// Whole training runs against PyTorch: every optimizer and schedule, regression and
// classification, parameters after each of 24 steps within 1e-9 relative in float64
// (tests/fixtures/training_golden.txt, from scripts/gen_training_golden.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mlp/train/trainer.h"
#include "golden.h"

namespace {

struct Spec {
  std::string name;
  std::map<std::string, std::string> opts;
  double num(const std::string& key, double fallback) const {
    auto it = opts.find(key);
    return it == opts.end() ? fallback : mlp_test::golden_number(it->second);
  }
};

// "NAME KEY=VALUE ...".
Spec parse_spec(const mlp_test::GoldenLine& line) {
  Spec spec;
  spec.name = line.word(0);
  for (std::size_t i = 1; i < line.words.size(); ++i) {
    const auto [key, value] = mlp_test::golden_option(line.words[i]);
    spec.opts[key] = value;
  }
  return spec;
}

struct Case {
  std::string name, task, hidden, loss;
  std::vector<std::size_t> sizes;
  Spec optimizer, schedule;
  std::size_t warmup_epochs = 0;
  double warmup_factor = 0;
  std::size_t epochs = 0, batch = 0;
  std::vector<double> x, y, init;
  std::vector<double> lrs;
  std::vector<std::vector<double>> steps;
};

// Per case: "case NAME", "task T", "sizes N ...", "hidden ACT", "loss L", "optimizer NAME K=V ...",
// "schedule NAME K=V ...", "warmup none|EPOCHS FACTOR", "epochs E batch B", "x ...", "y ...",
// "init ...", one "step K lr LR PARAMS..." per step, and "end".
std::vector<Case> read_cases() {
  std::vector<Case> cases;
  Case c;
  for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("training_golden.txt")) {
    const std::string& key = line.key;
    if (key == "case") {
      c = Case{};
      c.name = line.word(0);
    } else if (key == "task") {
      c.task = line.word(0);
    } else if (key == "sizes") {
      for (std::size_t i = 0; i < line.words.size(); ++i) c.sizes.push_back(line.count(i));
    } else if (key == "hidden") {
      c.hidden = line.word(0);
    } else if (key == "loss") {
      c.loss = line.word(0);
    } else if (key == "optimizer") {
      c.optimizer = parse_spec(line);
    } else if (key == "schedule") {
      c.schedule = parse_spec(line);
    } else if (key == "warmup") {
      if (line.word(0) != "none") {
        c.warmup_epochs = line.count(0);
        c.warmup_factor = line.num(1);
      }
    } else if (key == "epochs") {
      c.epochs = line.count(0);
      c.batch = line.count(2);
    } else if (key == "x") {
      c.x = line.nums();
    } else if (key == "y") {
      c.y = line.nums();
    } else if (key == "init") {
      c.init = line.nums();
    } else if (key == "step") {
      c.lrs.push_back(line.num(2));
      c.steps.push_back(line.nums(3));
    } else if (key == "end") {
      cases.push_back(c);
    }
  }
  return cases;
}

mlp::OptimizerOptions optimizer_options(const Spec& s) {
  bool flag_nesterov = s.num("nesterov", 0) != 0, flag_ams = s.num("amsgrad", 0) != 0;
  if (s.name == "sgd")
    return mlp::SGDOptions{.lr = s.num("lr", 0.01), .momentum = s.num("momentum", 0),
                           .dampening = s.num("dampening", 0), .nesterov = flag_nesterov,
                           .weight_decay = s.num("weight_decay", 0)};
  if (s.name == "adam")
    return mlp::AdamOptions{.lr = s.num("lr", 1e-3), .beta1 = s.num("beta1", 0.9), .beta2 = s.num("beta2", 0.999),
                            .eps = s.num("eps", 1e-8), .weight_decay = s.num("weight_decay", 0),
                            .amsgrad = flag_ams};
  if (s.name == "adamw")
    return mlp::AdamWOptions{.lr = s.num("lr", 1e-3), .beta1 = s.num("beta1", 0.9), .beta2 = s.num("beta2", 0.999),
                             .eps = s.num("eps", 1e-8), .weight_decay = s.num("weight_decay", 1e-2),
                             .amsgrad = flag_ams};
  if (s.name == "rmsprop")
    return mlp::RMSpropOptions{.lr = s.num("lr", 1e-2), .alpha = s.num("alpha", 0.99), .eps = s.num("eps", 1e-8),
                               .weight_decay = s.num("weight_decay", 0), .momentum = s.num("momentum", 0),
                               .centered = s.num("centered", 0) != 0};
  return mlp::AdagradOptions{.lr = s.num("lr", 1e-2), .lr_decay = s.num("lr_decay", 0),
                             .weight_decay = s.num("weight_decay", 0),
                             .initial_accumulator_value = s.num("initial_accumulator_value", 0),
                             .eps = s.num("eps", 1e-10)};
}

mlp::ScheduleOptions schedule_options(const Spec& s, std::size_t total_steps) {
  if (s.name == "step")
    return mlp::StepLR{.step_size = static_cast<std::size_t>(s.num("step_size", 1)), .gamma = s.num("gamma", 0.1)};
  if (s.name == "multistep") {
    mlp::MultiStepLR m{.milestones = {}, .gamma = s.num("gamma", 0.1)};
    std::stringstream ms(s.opts.at("milestones"));
    std::string v;
    while (std::getline(ms, v, '/')) m.milestones.push_back(std::stoul(v));
    return m;
  }
  if (s.name == "exponential") return mlp::ExponentialLR{.gamma = s.num("gamma", 0.9)};
  if (s.name == "cosine")
    return mlp::CosineAnnealingLR{.t_max = static_cast<std::size_t>(s.num("T_max", 10)), .eta_min = s.num("eta_min", 0)};
  if (s.name == "onecycle") {
    mlp::OneCycleLR o;
    o.max_lr = s.num("max_lr", 0.1);
    o.total_steps = total_steps;
    o.cos_anneal = !(s.opts.count("anneal_strategy") && s.opts.at("anneal_strategy") == "linear");
    o.three_phase = s.num("three_phase", 0) != 0;
    return o;
  }
  if (s.name == "plateau")
    return mlp::ReduceLROnPlateau{.factor = s.num("factor", 0.1),
                                  .patience = static_cast<std::size_t>(s.num("patience", 10)),
                                  .threshold = s.num("threshold", 1e-4)};
  return mlp::ConstantLR{};
}


TEST(TrainingGoldenFile, CoversEveryOptimizerScheduleAndTask) {
  auto cases = read_cases();
  std::set<std::string> optimizers, schedules, tasks;
  for (const auto& c : cases) {
    optimizers.insert(c.optimizer.name);
    schedules.insert(c.schedule.name);
    tasks.insert(c.task);
    EXPECT_GE(c.steps.size(), 20u) << c.name;
  }
  EXPECT_EQ(optimizers.size(), 5u);
  EXPECT_EQ(schedules.size(), 7u);  // none + six schedules
  EXPECT_EQ(tasks.size(), 3u);
}

TEST(TrainingGolden, ParametersFollowPyTorchStepForStep) {
  auto cases = read_cases();
  ASSERT_GT(cases.size(), 20u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    mlp::ModelConfig config;
    config.sizes = c.sizes;
    config.hidden_activations = {mlp::parse_activation(c.hidden)};
    mlp::Model<double> model(config);
    ASSERT_EQ(model.parameters().size(), c.init.size());
    std::copy(c.init.begin(), c.init.end(), model.parameters().begin());
    const std::size_t rows = c.x.size() / c.sizes.front();
    mlp::Matrix<double> x(rows, c.sizes.front()), y(rows, c.y.size() / rows);
    std::copy(c.x.begin(), c.x.end(), x.data());
    std::copy(c.y.begin(), c.y.end(), y.data());
    mlp::TrainOptions o;
    o.epochs = c.epochs;
    o.batch_size = c.batch;
    o.shuffle = false;
    const std::size_t total_steps = c.epochs * ((rows + c.batch - 1) / c.batch);
    o.schedule = schedule_options(c.schedule, total_steps);
    o.warmup = mlp::Warmup{.epochs = c.warmup_epochs, .start_factor = c.warmup_factor};
    mlp::Trainer<double> trainer(model, mlp::parse_loss(c.loss), optimizer_options(c.optimizer), o);
    std::size_t step = 0;
    double worst = 0;
    std::string failure;
    trainer.on_batch_end = [&](const mlp::BatchStats&) {
      if (!failure.empty()) return;
      if (step >= c.steps.size()) {
        failure = "more steps than PyTorch took";
        return;
      }
      const auto& want = c.steps[step];
      const auto& got = model.parameters();
      for (std::size_t i = 0; i < want.size(); ++i) {
        // Relative to the value, or to 1e-3 for parameters near zero.
        double rel = std::fabs(got[i] - want[i]) / std::max(std::fabs(want[i]), 1e-3);
        worst = std::max(worst, rel);
        if (!(rel <= 1e-9)) {
          failure = "step " + std::to_string(step + 1) + " parameter " + std::to_string(i) + ": " +
                    std::to_string(got[i]) + " vs " + std::to_string(want[i]) + " (lr " +
                    std::to_string(trainer.optimizer().lr()) + " vs " + std::to_string(c.lrs[step]) + ")";
          return;
        }
      }
      ++step;
    };
    trainer.fit(x, y);
    EXPECT_EQ(failure, "");
    if (failure.empty()) {
      EXPECT_EQ(step, c.steps.size());
    }
    RecordProperty(c.name, std::to_string(worst));
  }
}

}  // namespace
