// The training loop's features: validation (split or set), early stopping with restored
// weights, callbacks, schedules driving the optimizer, metrics, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "mlp/nn/init.h"
#include "mlp/train/trainer.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;

mlp::Model<double> small_model(std::vector<std::size_t> sizes, std::uint32_t seed = 0) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  c.hidden_activations = {Activation{ActivationKind::tanh}};
  mlp::Model<double> m(c);
  mlp::Random rng(seed);
  mlp::init_default(m, rng);
  return m;
}

// y = 2x - 1 on [-1, 1], n rows.
void line_data(std::size_t n, mlp::Matrix<double>& x, mlp::Matrix<double>& y) {
  x = mlp::Matrix<double>(n, 1);
  y = mlp::Matrix<double>(n, 1);
  for (std::size_t i = 0; i < n; ++i) {
    x(i, 0) = -1 + 2.0 * static_cast<double>(i) / static_cast<double>(n - 1);
    y(i, 0) = 2 * x(i, 0) - 1;
  }
}

TEST(Trainer, ValidationSplitHoldsOutRowsAndReportsRegressionMetrics) {
  auto m = small_model({1, 8, 1});
  mlp::Matrix<double> x, y;
  line_data(50, x, y);
  mlp::TrainOptions o;
  o.epochs = 3;
  o.batch_size = 8;
  o.validation_split = 0.2;
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::AdamOptions{}, o);
  std::size_t batches_seen = 0, batches_per_epoch = 0;
  t.on_batch_end = [&](const mlp::BatchStats& b) {
    ++batches_seen;
    batches_per_epoch = b.batches;
  };
  auto h = t.fit(x, y);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(batches_per_epoch, 5u);  // 40 training rows in batches of 8
  EXPECT_EQ(batches_seen, 15u);
  EXPECT_TRUE(std::isfinite(h[0].val_loss));
  ASSERT_EQ(h[0].val_metrics.size(), 4u);
  EXPECT_EQ(h[0].val_metrics[0].first, "mse");
  EXPECT_NEAR(h[0].val_metrics[0].second, h[0].val_loss, 1e-12);  // the loss is the mse
  EXPECT_EQ(h[0].val_metrics[3].first, "r2");
}

TEST(Trainer, EarlyStoppingStopsAndRestoresTheBestWeights) {
  auto m = small_model({1, 8, 1});
  mlp::Matrix<double> x, y;
  line_data(40, x, y);
  // A validation set the model cannot fit: the opposite line. Its loss rises as training fits y.
  mlp::Matrix<double> vy = y;
  for (std::size_t i = 0; i < vy.rows(); ++i) vy(i, 0) = -y(i, 0);
  mlp::TrainOptions o;
  o.epochs = 200;
  o.batch_size = 8;
  o.early_stopping.patience = 3;
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::AdamOptions{.lr = 0.01}, o);
  std::vector<std::vector<double>> weights;
  t.on_epoch_end = [&](const mlp::EpochStats&) {
    weights.emplace_back(m.parameters().begin(), m.parameters().end());
    return true;
  };
  auto h = t.fit(x, y, &x, &vy);
  EXPECT_TRUE(t.stopped_early());
  EXPECT_LT(h.size(), 200u);
  ASSERT_GE(t.best_epoch(), 1u);
  // The best epoch had the lowest validation loss, and the model holds its weights again.
  for (const auto& s : h) EXPECT_GE(s.val_loss, h[t.best_epoch() - 1].val_loss);
  EXPECT_TRUE(std::ranges::equal(m.parameters(), weights[t.best_epoch() - 1]));
  EXPECT_EQ(h.size(), t.best_epoch() + 3);
}

TEST(Trainer, MinDeltaFromTheBestSeenStopsASlowSteadyDecline) {
  // Full-batch gradient descent with a small step: the loss falls a little each epoch. With
  // min_delta 1.5x the largest fall, no single epoch counts as an improvement. Measured from the
  // best value seen (scikit-learn), training stops after the patience; measured from the last
  // improvement (Keras), two epochs' falls add up to one and training goes on.
  mlp::Matrix<double> x, y;
  line_data(40, x, y);
  mlp::TrainOptions o;
  o.epochs = 12;
  o.batch_size = 40;
  o.shuffle = false;
  auto run = [&](mlp::TrainOptions options) {
    auto m = small_model({1, 8, 1});
    mlp::Trainer<double> t(m, mlp::Loss{}, mlp::SGDOptions{.lr = 0.002}, options);
    auto h = t.fit(x, y);
    return std::make_pair(h, t.best_epoch());
  };
  auto [free_run, unused] = run(o);
  double largest = 0, smallest = 1e9;
  for (std::size_t e = 1; e < free_run.size(); ++e) {
    const double fall = free_run[e - 1].train_loss - free_run[e].train_loss;
    largest = std::max(largest, fall);
    smallest = std::min(smallest, fall);
  }
  ASSERT_GT(2 * smallest, 1.5 * largest) << "the falls are too uneven for this test";
  o.early_stopping.patience = 3;
  o.early_stopping.monitor = "loss";
  o.early_stopping.min_delta = 1.5 * largest;
  o.early_stopping.min_delta_from_best_seen = true;
  auto [sklearn, sklearn_best] = run(o);
  EXPECT_EQ(sklearn.size(), 4u);  // epoch 1, then 3 without a fall of min_delta
  EXPECT_EQ(sklearn_best, 4u);    // the lowest loss seen, however small its gain
  o.early_stopping.min_delta_from_best_seen = false;
  auto [keras, keras_best] = run(o);
  EXPECT_EQ(keras.size(), 12u);  // every second epoch counts as an improvement
  EXPECT_EQ(keras_best % 2, 1u);
}

TEST(Trainer, CallbackCanStopTraining) {
  auto m = small_model({1, 4, 1});
  mlp::Matrix<double> x, y;
  line_data(20, x, y);
  mlp::TrainOptions o;
  o.epochs = 50;
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::SGDOptions{}, o);
  t.on_epoch_end = [](const mlp::EpochStats& s) { return s.epoch < 4; };
  EXPECT_EQ(t.fit(x, y).size(), 4u);
}

TEST(Trainer, ScheduleSetsTheOptimizersLearningRateEachEpoch) {
  auto m = small_model({1, 4, 1});
  mlp::Matrix<double> x, y;
  line_data(20, x, y);
  mlp::TrainOptions o;
  o.epochs = 5;
  o.schedule = mlp::StepLR{.step_size = 2, .gamma = 0.5};
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::SGDOptions{.lr = 0.1}, o);
  auto h = t.fit(x, y);
  std::vector<double> lrs;
  for (const auto& s : h) lrs.push_back(s.lr);
  // torch.optim.lr_scheduler.StepLR(step_size=2, gamma=0.5): 0.1, 0.1, 0.05, 0.05, 0.025
  EXPECT_EQ(lrs, (std::vector<double>{0.1, 0.1, 0.05, 0.05, 0.025}));
}

TEST(Trainer, ClassificationReportsAccuracyAndRejectsBadLabels) {
  mlp::ModelConfig c;
  c.sizes = {2, 8, 3};
  mlp::Model<double> m(c);
  mlp::Random rng(1);
  mlp::init_default(m, rng);
  mlp::Matrix<double> x{{0, 0}, {1, 0}, {0, 1}, {1, 1}}, y{{0}, {1}, {2}, {1}};
  mlp::Trainer<double> t(m, mlp::parse_loss("cross_entropy"), mlp::AdamOptions{}, mlp::TrainOptions{});
  auto ev = t.evaluate_metrics(x, y);
  ASSERT_FALSE(ev.metrics.empty());
  EXPECT_EQ(ev.metrics[0].first, "accuracy");
  EXPECT_EQ(t.task(), mlp::Task::multiclass);
  mlp::Matrix<double> bad{{0}, {1}, {3}, {1}};  // class 3 of 3
  EXPECT_THROW(t.evaluate(x, bad), mlp::InvalidArgument);
}

TEST(Trainer, BadHyperParametersAreClearErrors) {
  auto m = small_model({1, 4, 1});
  auto make = [&](mlp::OptimizerOptions opt, mlp::TrainOptions o) { mlp::Trainer<double> t(m, mlp::Loss{}, opt, o); };
  mlp::TrainOptions o;
  EXPECT_THROW(make(mlp::SGDOptions{.lr = -1}, o), mlp::InvalidArgument);
  EXPECT_THROW(make(mlp::SGDOptions{.lr = 0.1, .nesterov = true}, o), mlp::InvalidArgument);
  o.batch_size = 0;
  EXPECT_THROW(make(mlp::SGDOptions{}, o), mlp::InvalidArgument);
  o = {};
  o.validation_split = 1.0;
  EXPECT_THROW(make(mlp::SGDOptions{}, o), mlp::InvalidArgument);
  o = {};
  o.schedule = mlp::StepLR{.step_size = 0};
  EXPECT_THROW(make(mlp::SGDOptions{}, o), mlp::InvalidArgument);
}

TEST(Trainer, SameSeedSameTraining) {
  mlp::Matrix<double> x, y;
  line_data(30, x, y);
  auto run = [&]() {
    mlp::ModelConfig c;
    c.sizes = {1, 6, 1};
    c.dropout = 0.2;
    mlp::Model<double> m(c);
    mlp::Random rng(9);
    mlp::init_default(m, rng);
    mlp::TrainOptions o;
    o.epochs = 5;
    o.batch_size = 4;
    o.seed = 17;
    mlp::Trainer<double> t(m, mlp::Loss{}, mlp::AdamOptions{}, o);
    t.fit(x, y);
    return std::vector<double>(m.parameters().begin(), m.parameters().end());
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
