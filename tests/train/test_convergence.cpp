// Convergence with default settings (Adam, PyTorch's default init, ReLU, batch 32, shuffling):
// XOR, two interleaved spirals, and a noisy sine regression each reach a clear target.
#include <gtest/gtest.h>

#include <cmath>

#include "mlp/nn/init.h"
#include "mlp/train/trainer.h"

namespace {

template <typename T>
mlp::Model<T> default_model(std::vector<std::size_t> sizes) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  mlp::Model<T> m(c);
  mlp::Random rng(0);
  mlp::init_default(m, rng);
  return m;
}

TEST(Convergence, Xor) {
  auto m = default_model<double>({2, 8, 1});
  mlp::Matrix<double> x{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, y{{0}, {1}, {1}, {0}};
  mlp::TrainOptions o;
  o.epochs = 3000;  // one batch of 4 rows an epoch
  mlp::Trainer<double> t(m, mlp::parse_loss("bce_with_logits"), mlp::AdamOptions{}, o);
  t.fit(x, y);
  auto ev = t.evaluate_metrics(x, y);
  EXPECT_EQ(ev.metrics[0].first, "accuracy");
  EXPECT_EQ(ev.metrics[0].second, 1.0);
  EXPECT_LT(ev.loss, 0.1);
}

TEST(Convergence, TwoSpirals) {
  // Two interleaved spirals, 2 x 200 points with a little noise; classes 0 and 1.
  const std::size_t per = 200;
  mlp::Matrix<float> x(2 * per, 2), y(2 * per, 1);
  mlp::Random rng(7);
  for (std::size_t i = 0; i < per; ++i) {
    double r = static_cast<double>(i) / per * 5 + 0.5;
    double a = 1.75 * static_cast<double>(i) / per * 2 * M_PI;
    for (int c = 0; c < 2; ++c) {
      std::size_t row = 2 * i + static_cast<std::size_t>(c);
      double s = c == 0 ? 1 : -1;
      x(row, 0) = static_cast<float>(s * r * std::cos(a) / 3 + rng.randn() * 0.05);
      x(row, 1) = static_cast<float>(s * r * std::sin(a) / 3 + rng.randn() * 0.05);
      y(row, 0) = static_cast<float>(c);
    }
  }
  auto m = default_model<float>({2, 64, 64, 2});
  mlp::TrainOptions o;
  o.epochs = 600;
  mlp::Trainer<float> t(m, mlp::parse_loss("cross_entropy"), mlp::AdamOptions{}, o);
  t.fit(x, y);
  auto ev = t.evaluate_metrics(x, y);
  EXPECT_GE(ev.metrics[0].second, 0.97) << "accuracy";
}

TEST(Convergence, NoisySine) {
  // y = sin(x) + N(0, 0.1^2) on [-3, 3]; held-out clean points should be within noise level.
  const std::size_t n = 512;
  mlp::Matrix<double> x(n, 1), y(n, 1), xt(100, 1), yt(100, 1);
  mlp::Random rng(3);
  for (std::size_t i = 0; i < n; ++i) {
    x(i, 0) = -3 + 6 * rng.rand();
    y(i, 0) = std::sin(x(i, 0)) + 0.1 * rng.randn();
  }
  for (std::size_t i = 0; i < 100; ++i) {
    xt(i, 0) = -2.9 + 5.8 * static_cast<double>(i) / 99;
    yt(i, 0) = std::sin(xt(i, 0));
  }
  auto m = default_model<double>({1, 64, 64, 1});
  mlp::TrainOptions o;
  o.epochs = 300;
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::AdamOptions{}, o);
  auto h = t.fit(x, y);
  auto ev = t.evaluate_metrics(xt, yt);
  EXPECT_LT(ev.loss, 0.005) << "mse against the clean sine";  // the noise variance is 0.01
  EXPECT_GT(ev.metrics[3].second, 0.99) << "r2";
  EXPECT_LT(h.back().train_loss, 0.02);
}

}  // namespace
