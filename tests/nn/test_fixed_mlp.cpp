// mlp::FixedMlp: the tutorial's run bit for bit as numpy computes it, agreement with the general
// Trainer on other shapes, conversions, and its errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/nn/fixed_mlp.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "mlp/train/trainer.h"
#include "golden.h"
#include "run_command.h"
#include "temp_files.h"
#include "tutorial_fixture.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;

template <typename T>
mlp::Model<T> make_model(std::vector<std::size_t> sizes, ActivationKind hidden, unsigned seed) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  c.hidden_activations = {Activation{hidden}};
  mlp::Model<T> m(c);
  mlp::Random rng(seed);
  mlp::init_default(m, rng);
  return m;
}

template <typename T>
std::vector<T> uniform(std::size_t n, unsigned seed, double scale = 1) {
  mlp::Random rng(seed);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(scale * (2 * rng.rand() - 1));
  return v;
}

// The tutorial's table and weights (np.random.seed(99)).
struct Tutorial {
  const double* x = mlp_test::kTutorialX.data();
  const double* y = mlp_test::kTutorialY.data();
  mlp::Model<double> model = mlp_test::tutorial_model();
};

// numpy's weights after the tutorial's 1000 epochs (scripts/gen_tutorial_weights.py).
std::vector<double> numpy_weights() {
  std::vector<double> w;
  for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("tutorial_numpy_weights.txt"))
    for (double v : line.values()) w.push_back(v);
  return w;
}

TEST(FixedMlp, TutorialRunEqualsNumpysWeightsBitForBit) {
  // tests/fixtures/tutorial_numpy_weights.txt: scripts/gen_tutorial_weights.py, numpy's weights after
  // the tutorial's 1000 epochs (OpenBLAS Haswell kernels), as repr strings.
  const std::vector<double> numpy = numpy_weights();
  ASSERT_EQ(numpy.size(), 17u) << "tests/fixtures/tutorial_numpy_weights.txt is missing or short";

  Tutorial t;
  mlp::FixedMlp<double, 2, 4, 1> net(t.model);
  const double loss = net.train<2>(t.x, t.y, 4, 0.00001, 1000);
  EXPECT_TRUE(std::isfinite(loss));
  net.copy_to(t.model);
  for (std::size_t i = 0; i < numpy.size(); ++i)
    EXPECT_EQ(t.model.parameters()[i], numpy[i]) << "parameter " << i;

  // The tutorial's printed prediction and error (tutorial.expected.txt).
  const double test_x[2] = {28.1, 58.0};
  double p = 0;
  net.predict(test_x, &p);
  EXPECT_NEAR(p, 164.86371082, 1e-8);
  EXPECT_EQ((p - 165) * (p - 165), 0.01857474128461772);
}

// The header alone (tests/standalone/fixed_mlp_tutorial.cpp), compiled by the compiler that built
// the project and by clang++ if there is one, with and without -march=native: FixedMlp's
// arithmetic is written out, so every build must give numpy's weights. (Clang 14 with libstdc++'s
// simd once gave other numbers under AVX-512: its masked assignments were ignored.)
TEST(FixedMlp, EveryCompilerAndTargetGivesNumpysWeights) {
  const std::vector<double> numpy = numpy_weights();
  ASSERT_EQ(numpy.size(), 17u);
  std::vector<std::string> compilers = {MLP_CXX_COMPILER};
  if (mlp_test::run_command("command -v clang++").status == 0) compilers.push_back("clang++");
  const std::string source = std::string(MLP_SOURCE_DIR) + "/tests/standalone/fixed_mlp_tutorial.cpp";
  const std::string include = std::string(MLP_SOURCE_DIR) + "/include";
  int built = 0;
  for (const std::string& cxx : compilers)
    for (const std::string flags : {"-O2 -march=native", "-O2"}) {
      const std::string exe = mlp_test::temp_path("fixed_mlp_tutorial_" + std::to_string(built++));
      const std::string compile = "'" + cxx + "' -std=c++20 " + flags + " -I'" + include + "' '" + source + "' -o '" + exe + "'";
      mlp_test::CommandResult c = mlp_test::run_command(compile);
      ASSERT_EQ(c.status, 0) << compile << "\n" << c.err;
      mlp_test::CommandResult r = mlp_test::run_command("'" + exe + "'");
      ASSERT_EQ(r.status, 0) << r.err;
      std::vector<double> got;
      std::size_t start = 0;
      while (start < r.out.size()) {
        std::size_t end = r.out.find('\n', start);
        if (end == std::string::npos) end = r.out.size();
        if (end > start) got.push_back(std::stod(r.out.substr(start, end - start)));
        start = end + 1;
      }
      ASSERT_EQ(got.size(), numpy.size()) << cxx << " " << flags;
      for (std::size_t i = 0; i < numpy.size(); ++i) EXPECT_EQ(got[i], numpy[i]) << cxx << " " << flags << ", parameter " << i;
    }
}

// Trains the same model both ways, `steps` SGD steps on MSE; returns the largest parameter
// difference relative to max(|value|, 1).
template <typename T, std::size_t In, std::size_t Hidden, std::size_t Out, std::size_t Batch,
          ActivationKind Act = ActivationKind::relu>
double difference_from_trainer(std::size_t rows, std::size_t epochs, double lr) {
  mlp::Model<T> model = make_model<T>({In, Hidden, Out}, Act, 11);
  const std::vector<T> x = uniform<T>(rows * In, 12), y = uniform<T>(rows * Out, 13, 2);

  mlp::FixedMlp<T, In, Hidden, Out, Act> net(model);
  net.template train<Batch>(x.data(), y.data(), rows, lr, epochs);
  mlp::Model<T> fixed = model;
  net.copy_to(fixed);

  mlp::TrainOptions options;
  options.batch_size = Batch;
  mlp::Trainer<T> trainer(model, mlp::Loss{mlp::LossKind::mse}, mlp::SGDOptions{.lr = lr}, options);
  for (std::size_t e = 0; e < epochs; ++e)
    for (std::size_t i = 0; i < rows; i += Batch) trainer.train_step(x.data() + i * In, y.data() + i * Out, Batch);

  double worst = 0;
  for (std::size_t i = 0; i < model.parameters().size(); ++i) {
    const double a = fixed.parameters()[i], b = model.parameters()[i];
    worst = std::max(worst, std::abs(a - b) / std::max(std::abs(b), 1.0));
  }
  // The training moved the parameters (the comparison is not of two untouched copies).
  double moved = 0;
  mlp::Model<T> start = make_model<T>({In, Hidden, Out}, Act, 11);
  for (std::size_t i = 0; i < model.parameters().size(); ++i)
    moved = std::max(moved, std::abs(double(model.parameters()[i]) - double(start.parameters()[i])));
  EXPECT_GT(moved, 1e-3);
  return worst;
}

TEST(FixedMlp, AgreesWithTrainerOnOtherShapes) {
  // Batch * Out a power of two, not a power of two, one row per step; several hidden widths
  // (one SIMD register, several, a partial one); identity as well as relu.
  EXPECT_LT((difference_from_trainer<double, 3, 5, 2, 4>(16, 20, 0.05)), 1e-12);
  EXPECT_LT((difference_from_trainer<double, 4, 8, 3, 2>(12, 20, 0.05)), 1e-12);
  EXPECT_LT((difference_from_trainer<double, 2, 4, 1, 1>(6, 30, 0.05)), 1e-12);
  EXPECT_LT((difference_from_trainer<double, 5, 13, 1, 3, ActivationKind::identity>(9, 20, 0.02)), 1e-12);
  EXPECT_LT((difference_from_trainer<float, 4, 8, 2, 4>(16, 20, 0.05)), 1e-4);
  EXPECT_LT((difference_from_trainer<float, 3, 16, 3, 5>(20, 10, 0.05)), 1e-4);
}

TEST(FixedMlp, ConvertsFromAndToModelExactly) {
  mlp::Model<float> model = make_model<float>({3, 6, 2}, ActivationKind::relu, 4);
  mlp::FixedMlp<float, 3, 6, 2> net(model);
  EXPECT_EQ(net.parameters().w1[5][2], model.weight(0)[5 * 3 + 2]);
  EXPECT_EQ(net.parameters().b2[1], model.bias(1)[1]);
  mlp::Model<float> back = make_model<float>({3, 6, 2}, ActivationKind::relu, 5);
  net.copy_to(back);
  EXPECT_TRUE(std::ranges::equal(back.parameters(), model.parameters()));

  // predict agrees with Model::predict (same products up to summation order).
  const std::vector<float> x = uniform<float>(3, 6);
  float out[2];
  net.predict(x.data(), out);
  const mlp::Matrix<float> want = model.predict(mlp::Matrix<float>{{x[0], x[1], x[2]}});
  EXPECT_NEAR(out[0], want(0, 0), 1e-5);
  EXPECT_NEAR(out[1], want(0, 1), 1e-5);
}

TEST(FixedMlp, RefusesModelsOfAnotherShape) {
  using Net = mlp::FixedMlp<double, 2, 4, 1>;
  EXPECT_THROW(Net(make_model<double>({2, 5, 1}, ActivationKind::relu, 1)), mlp::InvalidArgument);
  EXPECT_THROW(Net(make_model<double>({2, 4, 1}, ActivationKind::tanh, 1)), mlp::InvalidArgument);
  EXPECT_THROW(Net(make_model<double>({2, 4, 4, 1}, ActivationKind::relu, 1)), mlp::InvalidArgument);
  mlp::ModelConfig c;
  c.sizes = {2, 4, 1};
  c.dropout = 0.5;
  EXPECT_THROW(Net(mlp::Model<double>(c)), mlp::InvalidArgument);
  Net net;
  mlp::Model<double> other = make_model<double>({2, 4, 2}, ActivationKind::relu, 1);
  EXPECT_THROW(net.copy_to(other), mlp::InvalidArgument);
}

TEST(FixedMlp, BadArgumentsThrowAndDivergenceLeavesTheWeights) {
  Tutorial t;
  mlp::FixedMlp<double, 2, 4, 1> net(t.model);
  EXPECT_THROW(net.train<3>(t.x, t.y, 4, 1e-5, 1), mlp::InvalidArgument);  // 4 rows, batch 3
  EXPECT_THROW(net.train<2>(t.x, t.y, 0, 1e-5, 1), mlp::InvalidArgument);
  EXPECT_THROW(net.train<2>(t.x, t.y, 4, -1.0, 1), mlp::InvalidArgument);
  EXPECT_THROW(net.train<2>(t.x, t.y, 4, NAN, 1), mlp::InvalidArgument);

  // A linear network with a learning rate of 0.01 diverges on the tutorial's unscaled inputs.
  mlp::Model<double> linear_model = mlp_test::tutorial_model(Activation{ActivationKind::identity});
  mlp::FixedMlp<double, 2, 4, 1, ActivationKind::identity> linear(linear_model);
  try {
    linear.train<2>(t.x, t.y, 4, 0.01, 1000);
    FAIL() << "expected NumericError";
  } catch (const mlp::NumericError& e) {
    EXPECT_NE(std::string(e.what()).find("training diverged"), std::string::npos) << e.what();
  }
  mlp::Model<double> after = linear_model;
  linear.copy_to(after);
  EXPECT_TRUE(std::ranges::equal(after.parameters(), linear_model.parameters()));
}

TEST(FixedMlp, ZeroEpochsChangeNothing) {
  Tutorial t;
  mlp::FixedMlp<double, 2, 4, 1> net(t.model);
  net.train<2>(t.x, t.y, 4, 1e-5, 0);
  mlp::Model<double> back = t.model;
  net.copy_to(back);
  EXPECT_TRUE(std::ranges::equal(back.parameters(), t.model.parameters()));
}

}  // namespace
