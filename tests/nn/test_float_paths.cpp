// The float32 training path (oneDNN's products when the build has them, optimizer updates split
// among threads) against the float64 path (OpenBLAS, PyTorch-exact): from the same weights, on
// the same batches, the updates agree to float32's precision.
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <cmath>
#include <string>
#include <vector>

#include "mlp/nn/init.h"
#include "mlp/core/matmul.h"
#include "mlp/nn/model.h"
#include "mlp/core/random.h"
#include "mlp/train/trainer.h"

namespace {

struct Recipe {
  const char* name;
  mlp::OptimizerOptions optimizer;
  // The largest difference of a parameter's total update, relative to the largest update: SGD
  // passes float32's rounding on as it is (2e-6 measured), Adam divides by the root of tiny second
  // moments, which magnifies it (3e-3 measured, whichever library multiplies).
  double tolerance;
};

void PrintTo(const Recipe& r, std::ostream* os) { *os << r.name; }

class FloatPaths : public ::testing::TestWithParam<Recipe> {};

// 784-256-128-10 (Fashion-MNIST's shapes: every product goes to the libraries, and the update
// loops are long enough to be split), 10 steps of batch 64 over random pixels and labels.
TEST_P(FloatPaths, Float32UpdatesFollowFloat64) {
  mlp::ModelConfig config;
  config.sizes = {784, 256, 128, 10};
  mlp::Model<double> m64(config);
  mlp::Random rng(5);
  mlp::init_default(m64, rng);
  mlp::Model<float> m32(config);
  std::copy(m64.parameters().begin(), m64.parameters().end(), m32.parameters().begin());
  const std::vector<double> start(m64.parameters().begin(), m64.parameters().end());
  constexpr std::size_t B = 64, steps = 10;
  std::vector<double> x64(B * 784), y64(B);
  std::vector<float> x32(B * 784), y32(B);
  mlp::Trainer<double> t64(m64, mlp::Loss{mlp::LossKind::cross_entropy}, GetParam().optimizer);
  mlp::Trainer<float> t32(m32, mlp::Loss{mlp::LossKind::cross_entropy}, GetParam().optimizer);
  for (std::size_t s = 0; s < steps; ++s) {
    for (std::size_t i = 0; i < x64.size(); ++i) x32[i] = static_cast<float>(x64[i] = rng.rand());
    for (std::size_t r = 0; r < B; ++r) y32[r] = static_cast<float>(y64[r] = static_cast<double>(rng.randint(10)));
    const double l64 = t64.train_step(x64.data(), y64.data(), B);
    const double l32 = t32.train_step(x32.data(), y32.data(), B);
    EXPECT_NEAR(l32, l64, 1e-4 * std::abs(l64)) << "step " << s;
  }
  // The total update of every parameter, float32's against float64's, relative to the largest.
  double largest = 0, worst = 0;
  for (std::size_t i = 0; i < start.size(); ++i) largest = std::max(largest, std::abs(m64.parameters()[i] - start[i]));
  for (std::size_t i = 0; i < start.size(); ++i)
    worst = std::max(worst, std::abs((double(m32.parameters()[i]) - start[i]) - (m64.parameters()[i] - start[i])));
  ASSERT_GT(largest, 0);
  EXPECT_LT(worst / largest, GetParam().tolerance) << "largest update " << largest << ", worst difference " << worst
                                   << (mlp::onednn_products() ? " (oneDNN products)" : " (BLAS products)");
}

INSTANTIATE_TEST_SUITE_P(Optimizers, FloatPaths,
                         ::testing::Values(Recipe{"sgd_momentum", mlp::SGDOptions{.lr = 0.01, .momentum = 0.9}, 1e-4},
                                           Recipe{"adam", mlp::AdamOptions{}, 2e-2}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
