// Inverted dropout: the free functions (mask from the draws in order, finite-difference gradient,
// the overwrite contract) and the model's dropout paths (the fused relu and the identity ones):
// finite-difference gradients with a fixed mask, and equality with the layer functions composed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mlp/nn/activation.h"
#include "mlp/nn/dense.h"
#include "mlp/nn/dropout.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "mlp/core/random.h"
#include "gradient_check.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;

// 2000 values: the masks are drawn in chunks of 512 from words made 624 at a time, so both
// boundaries fall inside.
template <typename T>
void expect_mask_follows_the_draws(double p) {
  const std::size_t n = 2000;
  std::vector<T> inp(n), out(n), mask(n);
  mlp::Random values(1);
  for (T& v : inp) v = static_cast<T>(values.randn());
  mlp::Random rng(7), reference(7);
  mlp::dropout_forward(out.data(), mask.data(), inp.data(), p, n, rng);
  const T keep = static_cast<T>(1.0 / (1.0 - p));
  std::size_t dropped = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const bool drop = reference.rand() < p;  // one draw per value, in index order
    ASSERT_EQ(mask[k], drop ? T(0) : keep) << k << ", p " << p;
    ASSERT_EQ(out[k], inp[k] * mask[k]) << k;
    dropped += drop;
  }
  EXPECT_NEAR(static_cast<double>(dropped) / n, p, 0.04);  // about 2000 p of 2000
  EXPECT_EQ(rng.rand(), reference.rand());                    // exactly n draws were taken
}

TEST(DropoutFunctions, MaskFollowsTheDrawsInOrder) {
  // Several p, the tiny and the nearly certain included.
  for (double p : {0.3, 0.5, 0.25, 0.2, 1e-17, 0.999}) {
    expect_mask_follows_the_draws<double>(p);
    expect_mask_follows_the_draws<float>(p);
  }
}

TEST(DropoutFunctions, ZeroProbabilityKeepsEverythingAndBadProbabilitiesThrow) {
  std::vector<double> inp = {1, -2, 3}, out(3), mask(3);
  mlp::Random rng(1);
  mlp::dropout_forward(out.data(), mask.data(), inp.data(), 0.0, 3, rng);
  EXPECT_EQ(out, inp);
  EXPECT_EQ(mask, (std::vector<double>{1, 1, 1}));
  EXPECT_THROW(mlp::dropout_forward(out.data(), mask.data(), inp.data(), 1.0, 3, rng), mlp::InvalidArgument);
  EXPECT_THROW(mlp::dropout_forward(out.data(), mask.data(), inp.data(), -0.1, 3, rng), mlp::InvalidArgument);
}

// Loss = sum(out * g) with the mask fixed (the generator reseeded before every forward):
// dropout_backward against central differences, within 1e-9 + 1e-7 |numeric|.
TEST(DropoutFunctions, BackwardMatchesFiniteDifferences) {
  const std::size_t n = 50;
  const double p = 0.4;
  mlp::Random values(2);
  std::vector<double> inp(n), g(n), out(n), mask(n), dinp(n);
  for (double& v : inp) v = values.randn();
  for (double& v : g) v = values.randn();
  auto loss = [&]() {
    mlp::Random rng(9);
    mlp::dropout_forward(out.data(), mask.data(), inp.data(), p, n, rng);
    double s = 0;
    for (std::size_t k = 0; k < n; ++k) s += out[k] * g[k];
    return s;
  };
  loss();
  mlp::dropout_backward(dinp.data(), g.data(), mask.data(), n);
  mlp_test::expect_central_differences(std::span<double>(inp), std::span<const double>(dinp), loss, 1e-9, 1e-7, "dinp");
  const auto zeros = static_cast<std::size_t>(std::count(dinp.begin(), dinp.end(), 0.0));
  EXPECT_GT(zeros, 0u);  // some values were dropped: the check covers both cases
  EXPECT_LT(zeros, n);
}

TEST(DropoutFunctions, BackwardOverwritesAndMayRunInPlace) {
  std::vector<double> dout = {1, 2, 3}, mask = {0, 2, 2};
  std::vector<double> dinp(3, std::numeric_limits<double>::quiet_NaN());
  mlp::dropout_backward(dinp.data(), dout.data(), mask.data(), 3);
  EXPECT_EQ(dinp, (std::vector<double>{0, 4, 6}));  // 1*0, 2*2, 3*2
  mlp::dropout_backward(dout.data(), dout.data(), mask.data(), 3);
  EXPECT_EQ(dout, dinp);
}

mlp::ModelConfig dropout_config(std::vector<std::size_t> sizes, ActivationKind hidden, double dropout) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  c.hidden_activations = {Activation{hidden}};
  c.dropout = dropout;
  return c;
}

// The model in training mode with dropout, the mask fixed by reseeding dropout_rng() before each
// forward pass (expect_model_gradients does): parameter gradients against central differences.
void check_model_with_dropout(ActivationKind hidden) {
  mlp::Model<double> m(dropout_config({4, 7, 6, 2}, hidden, 0.4));
  mlp::Random rng(3);
  mlp::init_default(m, rng);
  mlp_test::expect_model_gradients(m, 31, 1e-7, 1e-6);
  // Dropout was on during the check: training and evaluation outputs differ.
  mlp::Matrix<double> x(3, 4);
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = rng.randn();
  m.dropout_rng().seed(5);
  const mlp::Matrix<double> train = m.forward(x);
  EXPECT_FALSE(train == m.predict(x));
}

TEST(ModelDropout, FusedReluPathGradientMatchesFiniteDifferences) { check_model_with_dropout(ActivationKind::relu); }

TEST(ModelDropout, IdentityPathGradientMatchesFiniteDifferences) {
  check_model_with_dropout(ActivationKind::identity);
}

// The model's fused relu and identity paths give, bit for bit, what the layer functions give
// one after another: dense, activation, dropout forward; dropout, activation, dense backward
// (p = 0: no dropout, the model's fast paths without a mask).
void expect_model_equals_layer_functions(ActivationKind hidden, double p) {
  const std::size_t B = 5, C = 3, H = 6, O = 2;
  mlp::Model<double> m(dropout_config({C, H, O}, hidden, p));
  mlp::Random rng(4);
  mlp::init_default(m, rng);
  mlp::Matrix<double> x(B, C), g(B, O);
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = rng.randn();
  for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = rng.randn();
  m.dropout_rng().seed(8);
  const mlp::Matrix<double> out = m.forward(x);
  m.zero_grad();
  m.backward(g.data());

  const Activation act{hidden};
  std::vector<double> z(B * H), a(B * H), mask(B * H), d(B * H), y(B * O);
  mlp::Random drop(8);
  mlp::dense_forward(z.data(), x.data(), m.weight(0), m.bias(0), B, C, H);
  mlp::activation_forward(act, a.data(), z.data(), B, H);
  if (p > 0)
    mlp::dropout_forward(d.data(), mask.data(), a.data(), p, B * H, drop);
  else
    d = a;
  mlp::dense_forward(y.data(), d.data(), m.weight(1), m.bias(1), B, H, O);
  for (std::size_t k = 0; k < y.size(); ++k) ASSERT_EQ(out.data()[k], y[k]) << k;

  std::vector<double> grads(m.gradients().size(), 0.0), dd(B * H), da(B * H), dz(B * H);
  double* dw0 = grads.data();
  double* db0 = dw0 + H * C;
  double* dw1 = db0 + H;
  double* db1 = dw1 + O * H;
  mlp::dense_backward(dd.data(), dw1, db1, g.data(), d.data(), m.weight(1), B, H, O);
  if (p > 0)
    mlp::dropout_backward(da.data(), dd.data(), mask.data(), B * H);
  else
    da = dd;
  mlp::activation_backward(act, dz.data(), da.data(), z.data(), a.data(), B, H);
  mlp::dense_backward<double>(nullptr, dw0, db0, dz.data(), x.data(), m.weight(0), B, C, H);
  for (std::size_t k = 0; k < grads.size(); ++k) EXPECT_EQ(m.gradients()[k], grads[k]) << "parameter " << k;
}

TEST(ModelDropout, FusedReluPathEqualsTheLayerFunctions) {
  expect_model_equals_layer_functions(ActivationKind::relu, 0.3);
  expect_model_equals_layer_functions(ActivationKind::relu, 0);
}

TEST(ModelDropout, IdentityPathEqualsTheLayerFunctions) {
  expect_model_equals_layer_functions(ActivationKind::identity, 0.3);
  expect_model_equals_layer_functions(ActivationKind::identity, 0);
}

}  // namespace
