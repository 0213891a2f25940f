// Finite-difference checks: one central-difference loop for every layer test (dense, dropout,
// batch norm) and a whole model's parameter gradients.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "mlp/nn/model.h"
#include "mlp/core/random.h"

namespace mlp_test {

// For each values[i]: the central difference (h = 1e-6) of loss() against analytic[i], within
// abs_tol + rel_tol * |numeric|; values[i] is restored after. `what` names the values in failures.
template <typename T, typename A, typename Loss>
void expect_central_differences(std::span<T> values, std::span<const A> analytic, Loss loss, double abs_tol,
                                double rel_tol, const std::string& what) {
  ASSERT_EQ(values.size(), analytic.size()) << what;
  const double h = 1e-6;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const T keep = values[i];
    values[i] = static_cast<T>(keep + h);
    const double up = loss();
    values[i] = static_cast<T>(keep - h);
    const double down = loss();
    values[i] = keep;
    const double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(static_cast<double>(analytic[i]), numeric, abs_tol + rel_tol * std::fabs(numeric)) << what << "[" << i << "]";
  }
}

// Loss = sum(out * g) for a random batch x and weights g drawn from `seed`, so dLoss/dout = g.
// Compares backward()'s gradients with central differences (h = 1e-6) within abs_tol + rel_tol *
// |numeric|. Before every forward pass the dropout generator is reseeded and the running
// statistics restored, so each pass sees the same mask and statistics.
inline void expect_model_gradients(mlp::Model<double>& m, std::uint32_t seed, double abs_tol, double rel_tol) {
  mlp::Random rng(seed);
  const std::size_t B = 6;
  mlp::Matrix<double> x(B, m.inputs()), g(B, m.outputs());
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = rng.randn();
  for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = rng.randn();
  auto loss = [&]() {
    m.dropout_rng().seed(5);
    const std::vector<double> saved(m.buffers().begin(), m.buffers().end());
    const auto& out = m.forward(x);
    std::copy(saved.begin(), saved.end(), m.buffers().begin());
    double s = 0;
    for (std::size_t i = 0; i < out.size(); ++i) s += out.data()[i] * g.data()[i];
    return s;
  };
  loss();
  m.zero_grad();
  m.backward(g.data());
  const std::vector<double> analytic(m.gradients().begin(), m.gradients().end());
  expect_central_differences(m.parameters(), std::span<const double>(analytic), loss, abs_tol, rel_tol, "parameter");
}

}  // namespace mlp_test
