// The sequential model and trainer: whole-network gradients against finite differences,
// the tutorial's starting weights, the training loop's contracts.
#include <gtest/gtest.h>

#include <cmath>

#include "mlp/init.h"
#include "mlp/model.h"
#include "mlp/trainer.h"
#include "gradient_check.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;

mlp::ModelConfig config(std::vector<std::size_t> sizes, std::vector<Activation> hidden,
                        Activation output = Activation{ActivationKind::identity}) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  c.hidden = std::move(hidden);
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
  auto before = m.parameters();
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
  EXPECT_EQ(m.parameters(), before);
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
