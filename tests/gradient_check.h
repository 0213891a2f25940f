// A finite-difference check of a whole model's parameter gradients, shared by the model,
// dropout and batch-norm tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "mlp/model.h"
#include "mlp/random.h"

namespace mlp_test {

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
  std::span<double> p = m.parameters();
  const double h = 1e-6;
  for (std::size_t i = 0; i < p.size(); ++i) {
    double keep = p[i];
    p[i] = keep + h;
    double up = loss();
    p[i] = keep - h;
    double down = loss();
    p[i] = keep;
    double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(analytic[i], numeric, abs_tol + rel_tol * std::fabs(numeric)) << "parameter " << i;
  }
}

}  // namespace mlp_test
