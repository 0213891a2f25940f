// The sequential model and trainer: whole-network gradients against finite differences,
// the tutorial's starting weights, initialization at construction, copies, the training loop's
// contracts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "mlp/train/trainer.h"
#include "gradient_check.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;

// The values of a model's buffer (parameters(), gradients(), buffers()) as a vector, to compare.
template <typename Range>
std::vector<double> values(const Range& r) {
  return std::vector<double>(r.begin(), r.end());
}

mlp::ModelConfig config(std::vector<std::size_t> sizes, std::vector<Activation> hidden,
                        Activation output = Activation{ActivationKind::identity}) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  c.hidden_activations = std::move(hidden);
  c.output = output;
  return c;
}

TEST(Model, TutorialInitDrawsTheTutorialsWeights) {
  mlp::Model<double> m(config({2, 4, 1}, {Activation{ActivationKind::relu}}));
  mlp::Random rng(99);
  mlp::init_tutorial(m, rng);
  // np.random.seed(99); np.random.rand(4, 2)[0, 0] / 2 = 0.6722785586307918 / 2
  EXPECT_EQ(m.weight(0)[0], 0.6722785586307918 / 2);
  EXPECT_EQ(m.weight(0)[1], 0.4880783992405837 / 2);
  EXPECT_EQ(m.bias(1)[0], 0.0);  // the output bias starts at zero
  EXPECT_EQ(m.parameters().size(), 4u * 2 + 4 + 1 * 4 + 1);
}

TEST(Model, BadConfigurationsThrow) {
  EXPECT_THROW(mlp::Model<double>(config({3}, {})), mlp::InvalidArgument);
  EXPECT_THROW(mlp::Model<double>(config({3, 0, 1}, {})), mlp::InvalidArgument);
  Activation relu{ActivationKind::relu};
  EXPECT_THROW(mlp::Model<double>(config({3, 4, 5, 1}, {relu, relu, relu})), mlp::InvalidArgument);
  mlp::Model<double> m(config({3, 4, 1}, {relu}));
  mlp::Matrix<double> wrong(2, 5);
  EXPECT_THROW(m.forward(wrong), mlp::ShapeError);
}

// Loss = sum(out * g): the model's parameter gradients against central differences, through
// several layers with different activations and a non-identity output.
TEST(Model, BackwardMatchesFiniteDifferences) {
  auto a = [](ActivationKind k) { return Activation{k}; };
  mlp::Model<double> m(config({3, 5, 4, 2}, {a(ActivationKind::tanh), a(ActivationKind::gelu)},
                              a(ActivationKind::sigmoid)));
  mlp::Random rng(11);
  mlp::init_default(m, rng);
  mlp_test::expect_model_gradients(m, 12, 1e-8, 1e-6);
}

// A new model holds nn.Linear's default initialization drawn from Random(0); batch norm starts at
// gamma 1, beta 0 with running mean 0 and running variance 1.
TEST(Model, IsInitializedWhenConstructedAsTorchLinear) {
  mlp::ModelConfig c = config({3, 5, 2}, {Activation{ActivationKind::relu}});
  c.batch_norm = true;
  mlp::Model<double> m(c), expected(c);
  mlp::Random rng(0);
  mlp::init_default(expected, rng);
  EXPECT_EQ(values(m.parameters()), values(expected.parameters()));
  for (std::size_t i = 0; i < m.num_layers(); ++i) {
    const double bound = 1 / std::sqrt(static_cast<double>(m.layer_inputs(i)));  // 1/sqrt(3), 1/sqrt(5)
    for (std::size_t k = 0; k < m.layer_outputs(i) * m.layer_inputs(i); ++k) {
      EXPECT_LE(std::fabs(m.weight(i)[k]), bound);
      EXPECT_NE(m.weight(i)[k], 0.0);
    }
    for (std::size_t k = 0; k < m.layer_outputs(i); ++k) EXPECT_LE(std::fabs(m.bias(i)[k]), bound);
  }
  for (std::size_t f = 0; f < 5; ++f) {
    EXPECT_EQ(m.norm_weight(0)[f], 1.0);
    EXPECT_EQ(m.norm_bias(0)[f], 0.0);
    EXPECT_EQ(m.running_mean(0)[f], 0.0);
    EXPECT_EQ(m.running_var(0)[f], 1.0);
  }
}

// init_model overwrites every weight and bias, so a caller that initializes after construction
// gets the same numbers whatever the constructor put there (NaN here).
TEST(Model, InitModelAfterConstructionOverwritesEveryWeightAndBias) {
  const mlp::InitKind kinds[] = {mlp::InitKind::default_,       mlp::InitKind::xavier_uniform,
                                 mlp::InitKind::xavier_normal,  mlp::InitKind::kaiming_uniform,
                                 mlp::InitKind::kaiming_normal, mlp::InitKind::lecun_normal,
                                 mlp::InitKind::orthogonal,     mlp::InitKind::zeros,
                                 mlp::InitKind::constant,       mlp::InitKind::tutorial};
  const auto c = config({3, 5, 4, 2}, {Activation{ActivationKind::tanh}});
  for (mlp::InitKind kind : kinds) {
    mlp::InitOptions o;
    o.kind = kind;
    o.value = 0.25;
    mlp::Model<double> a(c), b(c);
    for (std::size_t i = 0; i < b.num_layers(); ++i) {
      const std::size_t n = b.layer_outputs(i) * (b.layer_inputs(i) + 1);  // weight and bias
      std::fill(b.weight(i), b.weight(i) + n, std::numeric_limits<double>::quiet_NaN());
    }
    mlp::Random ra(17), rb(17);
    mlp::init_model(a, o, ra);
    mlp::init_model(b, o, rb);
    EXPECT_EQ(values(a.parameters()), values(b.parameters())) << static_cast<int>(kind);
  }
}

// A copy made between forward and backward is a model of its own: with the original changed and
// destroyed, its backward and a further forward and backward give what a fresh model with the same
// parameters gives. Dropout and batch norm, so that every kept buffer is in use.
TEST(Model, CopyAfterForwardKeepsNoPointerIntoTheOriginal) {
  mlp::ModelConfig c = config({3, 6, 5, 2}, {Activation{ActivationKind::relu}});
  c.dropout = 0.3;
  c.batch_norm = true;
  auto original = std::make_unique<mlp::Model<double>>(c);
  mlp::Random rng(8);
  mlp::init_default(*original, rng);
  mlp::Model<double> fresh(c);
  std::copy(original->parameters().begin(), original->parameters().end(), fresh.parameters().begin());
  mlp::Matrix<double> x(4, 3), other(4, 3), g(4, 2);
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = rng.randn();
  for (std::size_t i = 0; i < other.size(); ++i) other.data()[i] = rng.randn();
  for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = rng.randn();

  original->dropout_rng().seed(3);
  original->forward(x);
  mlp::Model<double> copy = *original;
  // The original's buffers change (same batch size: rewritten in place), then it is gone.
  for (double& p : original->parameters()) p = 0.5;
  original->forward(other);
  original->zero_grad();
  original->backward(g.data());
  original.reset();

  fresh.dropout_rng().seed(3);
  fresh.forward(x);
  fresh.zero_grad();
  fresh.backward(g.data());
  copy.zero_grad();
  copy.backward(g.data());
  EXPECT_EQ(values(copy.gradients()), values(fresh.gradients()));
  EXPECT_EQ(values(copy.buffers()), values(fresh.buffers()));  // the running statistics of one forward pass

  // Both continue alike: same generator state, same statistics, same numbers.
  EXPECT_EQ(copy.forward(other), fresh.forward(other));
  copy.zero_grad();
  fresh.zero_grad();
  copy.backward(g.data());
  fresh.backward(g.data());
  EXPECT_EQ(values(copy.gradients()), values(fresh.gradients()));

  // A model moved from the copy after a forward pass carries on as well.
  copy.forward(x);
  fresh.forward(x);
  mlp::Model<double> moved = std::move(copy);
  moved.zero_grad();
  fresh.zero_grad();
  moved.backward(g.data());
  fresh.backward(g.data());
  EXPECT_EQ(values(moved.gradients()), values(fresh.gradients()));
}

TEST(Trainer, RejectsBatchSizeZeroAndMismatchedTargets) {
  mlp::Model<double> m(config({2, 3, 1}, {Activation{ActivationKind::relu}}));
  mlp::TrainOptions o;
  o.batch_size = 0;
  EXPECT_THROW(mlp::Trainer<double>(m, mlp::Loss{}, mlp::SGDOptions{.lr = 0.1}, o), mlp::InvalidArgument);
  EXPECT_THROW(mlp::Trainer<double>(m, mlp::Loss{}, mlp::SGDOptions{.lr = -0.1}, mlp::TrainOptions{}),
               mlp::InvalidArgument);
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::SGDOptions{.lr = 0.1}, mlp::TrainOptions{});
  mlp::Matrix<double> x(4, 2), y(3, 1);
  EXPECT_THROW(t.fit(x, y), mlp::ShapeError);
}

TEST(Trainer, DivergenceStopsWithAnErrorAndLeavesTheWeightsFinite) {
  mlp::Model<double> m(config({1, 8, 1}, {Activation{ActivationKind::relu}}));
  mlp::Random rng(1);
  mlp::init_default(m, rng);
  mlp::Matrix<double> x{{1e3}, {-2e3}, {3e3}, {4e3}}, y{{1e3}, {2e3}, {-1e3}, {5e3}};
  mlp::TrainOptions o;
  o.epochs = 200;
  o.batch_size = 2;
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::SGDOptions{.lr = 10.0}, o);
  try {
    t.fit(x, y);
    FAIL() << "expected NumericError";
  } catch (const mlp::NumericError& e) {
    EXPECT_NE(std::string(e.what()).find("epoch"), std::string::npos) << e.what();
  }
  for (double p : m.parameters()) EXPECT_TRUE(std::isfinite(p));
}

TEST(Trainer, ReductionHookSeesTheGradientsBeforeTheStep) {
  mlp::Model<double> m(config({2, 3, 1}, {Activation{ActivationKind::relu}}));
  mlp::Random rng(2);
  mlp::init_default(m, rng);
  const std::vector<double> before(m.parameters().begin(), m.parameters().end());
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::SGDOptions{.lr = 0.1}, mlp::TrainOptions{});
  int calls = 0;
  t.reduce_gradients = [&](double* g, std::size_t n) {
    ++calls;
    EXPECT_EQ(n, m.parameters().size());
    for (std::size_t i = 0; i < n; ++i) g[i] = 0;  // a reduction that cancels the step
  };
  mlp::Matrix<double> x{{1, 2}}, y{{3}};
  t.train_step(x.data(), y.data(), 1);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(values(m.parameters()), before);
}

TEST(Trainer, FitLowersTheLossOnASimpleRegression) {
  mlp::Model<double> m(config({1, 16, 1}, {Activation{ActivationKind::tanh}}));
  mlp::Random rng(4);
  mlp::init_default(m, rng);
  mlp::Matrix<double> x(64, 1), y(64, 1);
  for (std::size_t i = 0; i < 64; ++i) {
    x(i, 0) = -1 + 2.0 * static_cast<double>(i) / 63;
    y(i, 0) = 0.5 * x(i, 0) * x(i, 0);
  }
  mlp::TrainOptions o;
  o.epochs = 300;
  o.batch_size = 8;
  o.shuffle = true;
  mlp::Trainer<double> t(m, mlp::Loss{}, mlp::SGDOptions{.lr = 0.1}, o);
  auto history = t.fit(x, y, &x, &y);
  ASSERT_EQ(history.size(), 300u);
  EXPECT_LT(history.back().train_loss, history.front().train_loss / 5);
  EXPECT_LT(history.back().val_loss, 2e-3);
}

}  // namespace
