// Dropout and batch normalization: finite-difference gradients (dropout with a fixed mask),
// training versus evaluation behaviour, and PyTorch's BatchNorm1d running statistics.
#include <gtest/gtest.h>

#include <cmath>

#include "mlp/train/clip.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "gradient_check.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;

mlp::ModelConfig config(std::vector<std::size_t> sizes, double dropout, bool batch_norm) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  c.hidden_activations = {Activation{ActivationKind::tanh}};
  c.dropout = dropout;
  c.batch_norm = batch_norm;
  return c;
}

void check_gradients(mlp::Model<double>& m, bool training) {
  m.set_training(training);
  mlp_test::expect_model_gradients(m, 21, 1e-7, 1e-6);
}

TEST(Dropout, GradientWithAFixedMask) {
  mlp::Model<double> m(config({4, 7, 5, 2}, 0.4, false));
  mlp::Random rng(1);
  mlp::init_default(m, rng);
  check_gradients(m, true);
}

TEST(Dropout, ZeroesAboutPAndScalesTheRestInTrainingOnly) {
  mlp::ModelConfig c;
  c.sizes = {1, 2000, 1};
  c.hidden_activations = {Activation{ActivationKind::identity}};
  c.dropout = 0.3;
  mlp::Model<double> m(c);
  // Hidden = x (weights 1, bias 0); output = sum of the hidden layer / 2000.
  for (std::size_t j = 0; j < 2000; ++j) {
    m.weight(0)[j] = 1;
    m.bias(0)[j] = 0;
    m.weight(1)[j] = 1.0 / 2000;
  }
  m.bias(1)[0] = 0;
  mlp::Matrix<double> x{{1.0}};
  m.dropout_rng().seed(3);
  double train_out = m.forward(x)(0, 0);
  // About 70% of units kept, each scaled by 1 / 0.7: the mean stays near 1.
  EXPECT_NEAR(train_out, 1.0, 0.05);
  EXPECT_NE(train_out, 1.0);
  m.set_training(false);
  EXPECT_NEAR(m.forward(x)(0, 0), 1.0, 1e-12);  // evaluation: no dropout
  EXPECT_NEAR(m.predict(x)(0, 0), 1.0, 1e-12);
}

TEST(Dropout, RejectsProbabilitiesOutsideZeroToOne) {
  EXPECT_THROW(mlp::Model<double>(config({2, 3, 1}, 1.0, false)), mlp::InvalidArgument);
  EXPECT_THROW(mlp::Model<double>(config({2, 3, 1}, -0.1, false)), mlp::InvalidArgument);
}

TEST(BatchNorm, GradientInTrainingMode) {
  mlp::Model<double> m(config({3, 5, 4, 2}, 0, true));
  mlp::Random rng(2);
  mlp::init_default(m, rng);
  for (std::size_t i = 0; i < 2; ++i)  // gamma and beta away from 1 and 0
    for (std::size_t f = 0; f < m.layer_outputs(i); ++f) {
      m.norm_weight(i)[f] = 0.5 + rng.rand();
      m.norm_bias(i)[f] = rng.randn() * 0.1;
    }
  check_gradients(m, true);
}

TEST(BatchNorm, GradientInEvaluationMode) {
  mlp::Model<double> m(config({3, 5, 2}, 0, true));
  mlp::Random rng(3);
  mlp::init_default(m, rng);
  for (std::size_t f = 0; f < 5; ++f) {
    m.running_mean(0)[f] = rng.randn();
    m.running_var(0)[f] = 0.5 + rng.rand();
  }
  check_gradients(m, false);
}

TEST(BatchNorm, TrainingNormalizesTheBatchAndUpdatesRunningStatisticsAsPyTorch) {
  // One hidden unit, identity everywhere: the hidden pre-activation is x itself.
  mlp::ModelConfig c;
  c.sizes = {1, 1, 1};
  c.hidden_activations = {Activation{ActivationKind::identity}};
  c.batch_norm = true;
  mlp::Model<double> m(c);
  m.weight(0)[0] = 1;
  m.bias(0)[0] = 0;
  m.weight(1)[0] = 1;
  m.bias(1)[0] = 0;
  mlp::Matrix<double> x{{1}, {2}, {3}, {6}};
  const auto& out = m.forward(x);
  // mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5: out = (x - 3) / sqrt(3.5 + 1e-5)
  EXPECT_NEAR(out(0, 0), -2 / std::sqrt(3.5 + 1e-5), 1e-12);
  EXPECT_NEAR(out(3, 0), 3 / std::sqrt(3.5 + 1e-5), 1e-12);
  // running_mean = 0.9 * 0 + 0.1 * 3; running_var = 0.9 * 1 + 0.1 * (14 / 3), the unbiased variance
  EXPECT_NEAR(m.running_mean(0)[0], 0.3, 1e-15);
  EXPECT_NEAR(m.running_var(0)[0], 0.9 + 0.1 * 14.0 / 3.0, 1e-15);
  // Evaluation uses the running statistics: (6 - 0.3) / sqrt(running_var + 1e-5)
  m.set_training(false);
  mlp::Matrix<double> six{{6}};
  EXPECT_NEAR(m.forward(six)(0, 0), 5.7 / std::sqrt(0.9 + 0.1 * 14.0 / 3.0 + 1e-5), 1e-12);
}

TEST(BatchNorm, TrainingWithOneRowIsAnError) {
  mlp::Model<double> m(config({2, 3, 1}, 0, true));
  mlp::Matrix<double> x{{1, 2}};
  EXPECT_THROW(m.forward(x), mlp::InvalidArgument);
  m.set_training(false);
  EXPECT_NO_THROW(m.forward(x));
}

TEST(Clip, NormScalesAsPyTorch) {
  std::vector<double> g = {3, 4};  // norm 5
  double norm = mlp::clip_grad_norm(g.data(), g.size(), 1.0);
  EXPECT_DOUBLE_EQ(norm, 5.0);
  EXPECT_DOUBLE_EQ(g[0], 3 * (1.0 / (5.0 + 1e-6)));
  EXPECT_DOUBLE_EQ(g[1], 4 * (1.0 / (5.0 + 1e-6)));
  std::vector<double> small = {0.3, 0.4};  // norm 0.5 < 1: unchanged
  mlp::clip_grad_norm(small.data(), small.size(), 1.0);
  EXPECT_EQ(small[0], 0.3);
}

TEST(Clip, ValueClamps) {
  std::vector<float> g = {-3, 0.5f, 2};
  mlp::clip_grad_value(g.data(), g.size(), 1.0);
  EXPECT_EQ(g, (std::vector<float>{-1, 0.5f, 1}));
}

TEST(Tensor, AllFiniteFindsNaNAndInfinity) {
  std::vector<double> v = {1, 2, 3};
  EXPECT_TRUE(mlp::all_finite(v.data(), v.size()));
  v[1] = NAN;
  EXPECT_FALSE(mlp::all_finite(v.data(), v.size()));
  std::vector<float> f = {1, -INFINITY};
  EXPECT_FALSE(mlp::all_finite(f.data(), f.size()));
  f[1] = 3.4e38f;
  EXPECT_TRUE(mlp::all_finite(f.data(), f.size()));
}

}  // namespace
