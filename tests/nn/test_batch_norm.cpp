// Batch normalization: the free functions (a worked example with PyTorch's running statistics,
// finite-difference gradients in training and evaluation, the add-into / overwrite contract) and
// batch norm inside a model (with relu, and with relu and dropout) against finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "mlp/nn/batch_norm.h"
#include "mlp/core/error.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "mlp/core/random.h"
#include "gradient_check.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;

TEST(BatchNormFunctions, TrainingByHandAsPyTorch) {
  // One feature x = 1, 2, 3, 6: mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5, unbiased 14 / 3.
  const std::size_t B = 4, F = 1;
  std::vector<double> inp = {1, 2, 3, 6}, out(B), xhat(B), inv_std(F);
  std::vector<double> weight = {2}, bias = {0.5}, running_mean = {0}, running_var = {1};
  mlp::batch_norm_forward(out.data(), xhat.data(), inv_std.data(), running_mean.data(), running_var.data(),
                          inp.data(), weight.data(), bias.data(), B, F, true, 0.1, 1e-5);
  const double inv = 1 / std::sqrt(3.5 + 1e-5);
  EXPECT_NEAR(inv_std[0], inv, 1e-15);
  EXPECT_NEAR(xhat[0], -2 * inv, 1e-15);          // (1 - 3) * inv
  EXPECT_NEAR(out[0], 2 * -2 * inv + 0.5, 1e-14);  // weight * xhat + bias
  EXPECT_NEAR(out[3], 2 * 3 * inv + 0.5, 1e-14);
  EXPECT_NEAR(running_mean[0], 0.3, 1e-15);                  // 0.9 * 0 + 0.1 * 3
  EXPECT_NEAR(running_var[0], 0.9 + 0.1 * 14.0 / 3.0, 1e-15);  // 0.9 * 1 + 0.1 * 14 / 3
  // Evaluation: the running statistics normalize and stay as they are.
  std::vector<double> six = {6}, y(1);
  mlp::batch_norm_forward<double>(y.data(), nullptr, inv_std.data(), running_mean.data(), running_var.data(),
                                  six.data(), weight.data(), bias.data(), 1, F, false, 0.1, 1e-5);
  EXPECT_NEAR(y[0], 2 * 5.7 / std::sqrt(0.9 + 0.1 * 14.0 / 3.0 + 1e-5) + 0.5, 1e-14);  // 2 (6 - 0.3) inv + 0.5
  EXPECT_NEAR(running_mean[0], 0.3, 1e-15);
}

TEST(BatchNormFunctions, TrainingWithOneRowThrows) {
  std::vector<double> v(2, 1.0), stats(2, 1.0), out(2), xhat(2), inv_std(2);
  EXPECT_THROW(mlp::batch_norm_forward(out.data(), xhat.data(), inv_std.data(), stats.data(), stats.data(), v.data(),
                                       v.data(), v.data(), 1, 2, true, 0.1, 1e-5),
               mlp::InvalidArgument);
}

// Loss = sum(out * g): batch_norm_backward's dinp, dweight, dbias against central differences
// (h = 1e-6) within 1e-8 + 1e-6 |numeric|. Every forward pass starts from the same running
// statistics (training moves them).
void check_gradients(bool training) {
  const std::size_t B = 6, F = 4;
  mlp::Random rng(training ? 41 : 42);
  std::vector<double> inp(B * F), g(B * F), weight(F), bias(F), mean0(F), var0(F);
  for (double& v : inp) v = 2 * rng.randn() + 1;
  for (double& v : g) v = rng.randn();
  for (double& v : weight) v = 0.5 + rng.rand();
  for (double& v : bias) v = rng.randn();
  for (double& v : mean0) v = rng.randn();
  for (double& v : var0) v = 0.5 + rng.rand();
  std::vector<double> out(B * F), xhat(B * F), inv_std(F), mean(F), var(F);
  auto loss = [&]() {
    mean = mean0;
    var = var0;
    mlp::batch_norm_forward(out.data(), xhat.data(), inv_std.data(), mean.data(), var.data(), inp.data(),
                            weight.data(), bias.data(), B, F, training, 0.1, 1e-5);
    double s = 0;
    for (std::size_t k = 0; k < out.size(); ++k) s += out[k] * g[k];
    return s;
  };
  loss();
  std::vector<double> dinp(B * F), dweight(F, 0.0), dbias(F, 0.0);
  mlp::batch_norm_backward(dinp.data(), dweight.data(), dbias.data(), g.data(), inp.data(), xhat.data(),
                           inv_std.data(), mean.data(), weight.data(), B, F, training);
  auto check = [&](std::vector<double>& values, const std::vector<double>& analytic, const char* name) {
    mlp_test::expect_central_differences(std::span<double>(values), std::span<const double>(analytic), loss, 1e-8,
                                         1e-6, name);
  };
  check(inp, dinp, "dinp");
  check(weight, dweight, "dweight");
  check(bias, dbias, "dbias");
}

TEST(BatchNormFunctions, TrainingGradientMatchesFiniteDifferences) { check_gradients(true); }

TEST(BatchNormFunctions, EvaluationGradientMatchesFiniteDifferences) { check_gradients(false); }

// dweight and dbias are added into; dinp is overwritten.
TEST(BatchNormFunctions, BackwardAddsIntoParameterGradientsAndOverwritesInputGradient) {
  const std::size_t B = 3, F = 2;
  std::vector<double> inp = {1, 4, 2, -1, 6, 0}, g = {1, -1, 0.5, 2, -3, 1}, weight = {1.5, 0.5}, bias = {0, 1};
  std::vector<double> out(B * F), xhat(B * F), inv_std(F), mean(F, 0.0), var(F, 1.0);
  mlp::batch_norm_forward(out.data(), xhat.data(), inv_std.data(), mean.data(), var.data(), inp.data(),
                          weight.data(), bias.data(), B, F, true, 0.1, 1e-5);
  std::vector<double> fresh_dinp(B * F), fresh_dw(F, 0.0), fresh_db(F, 0.0);
  mlp::batch_norm_backward(fresh_dinp.data(), fresh_dw.data(), fresh_db.data(), g.data(), inp.data(), xhat.data(),
                           inv_std.data(), mean.data(), weight.data(), B, F, true);
  std::vector<double> dinp(B * F, std::numeric_limits<double>::quiet_NaN()), dw = {10, 20}, db = {30, 40};
  mlp::batch_norm_backward(dinp.data(), dw.data(), db.data(), g.data(), inp.data(), xhat.data(), inv_std.data(),
                           mean.data(), weight.data(), B, F, true);
  EXPECT_EQ(dinp, fresh_dinp);
  for (std::size_t f = 0; f < F; ++f) {
    EXPECT_EQ(dw[f], 10 * (f + 1) + fresh_dw[f]);
    EXPECT_EQ(db[f], 30 + 10 * f + fresh_db[f]);
  }
  EXPECT_EQ(fresh_db[0], 1 + 0.5 - 3);  // the column sums of g
  EXPECT_EQ(fresh_db[1], -1 + 2 + 1);
}

// Batch norm inside a model, with relu after it, and with relu and dropout: parameter gradients
// (gamma and beta included) against finite differences, as the model test does for other layers.
void check_model(double dropout, bool training) {
  mlp::ModelConfig c;
  c.sizes = {4, 6, 5, 2};
  c.hidden_activations = {Activation{ActivationKind::relu}};
  c.batch_norm = true;
  c.dropout = dropout;
  mlp::Model<double> m(c);
  mlp::Random rng(6);
  mlp::init_default(m, rng);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t f = 0; f < m.layer_outputs(i); ++f) {
      m.norm_weight(i)[f] = 0.5 + rng.rand();  // gamma and beta away from 1 and 0
      m.norm_bias(i)[f] = rng.randn() * 0.1;
      m.running_mean(i)[f] = rng.randn() * 0.1;
      m.running_var(i)[f] = 0.5 + rng.rand();
    }
  m.set_training(training);
  mlp_test::expect_model_gradients(m, 51, 1e-7, 1e-6);
}

TEST(ModelBatchNorm, GradientWithReluInTrainingMode) { check_model(0, true); }

TEST(ModelBatchNorm, GradientWithReluAndDropoutInTrainingMode) { check_model(0.3, true); }

TEST(ModelBatchNorm, GradientWithReluInEvaluationMode) { check_model(0, false); }

}  // namespace
