// The dense layer: a hand-checked product, finite-difference gradients, shape errors.
#include <gtest/gtest.h>

#include <vector>

#include "gradient_check.h"
#include "mlp/nn/dense.h"
#include "mlp/core/random.h"

namespace {

TEST(Dense, ForwardByHand) {
  // x = [[1, 2]], W = [[3, 4], [5, 6], [7, 8]], b = [0.5, -1, 0]
  mlp::Matrix<double> x{{1, 2}}, w{{3, 4}, {5, 6}, {7, 8}}, b{{0.5, -1, 0}};
  auto y = mlp::dense_forward(x, w, b);
  ASSERT_EQ(y.rows(), 1u);
  ASSERT_EQ(y.cols(), 3u);
  EXPECT_EQ(y(0, 0), 11.5);  // 1*3 + 2*4 + 0.5
  EXPECT_EQ(y(0, 1), 16.0);  // 1*5 + 2*6 - 1
  EXPECT_EQ(y(0, 2), 23.0);  // 1*7 + 2*8 + 0
}

TEST(Dense, ShapeMismatchNamesBothShapes) {
  mlp::Matrix<double> x(2, 3), w(4, 2), b(1, 4);
  try {
    mlp::dense_forward(x, w, b);
    FAIL() << "expected ShapeError";
  } catch (const mlp::ShapeError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("(2, 3)"), std::string::npos) << m;
    EXPECT_NE(m.find("(4, 2)"), std::string::npos) << m;
  }
  mlp::Matrix<double> w2(4, 3), bad_bias(1, 3);
  EXPECT_THROW(mlp::dense_forward(x, w2, bad_bias), mlp::ShapeError);
}

// Loss = sum(y * g) for a fixed g, so dLoss/dy = g; compare backward with central differences.
template <typename T>
void gradient_check(std::size_t B, std::size_t C, std::size_t OC, double tol) {
  mlp::Random rng(3);
  auto fill = [&](std::vector<T>& v) {
    for (auto& e : v) e = static_cast<T>(rng.randn());
  };
  std::vector<T> x(B * C), w(OC * C), b(OC), g(B * OC), y(B * OC);
  fill(x), fill(w), fill(b), fill(g);
  auto loss = [&]() {
    mlp::dense_forward(y.data(), x.data(), w.data(), b.data(), B, C, OC);
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * g[i];
    return s;
  };
  std::vector<T> dx(B * C), dw(OC * C, T(1)), db(OC, T(2));  // dw, db start non-zero: backward adds
  mlp::dense_backward(dx.data(), dw.data(), db.data(), g.data(), x.data(), w.data(), B, C, OC);
  auto check = [&](std::vector<T>& param, const std::vector<T>& grad, double offset, const char* name) {
    std::vector<double> analytic(grad.begin(), grad.end());
    for (double& a : analytic) a -= offset;
    mlp_test::expect_central_differences(std::span<T>(param), std::span<const double>(analytic), loss, tol, tol, name);
  };
  check(x, dx, 0, "dx");
  check(w, dw, 1, "dweight");
  check(b, db, 2, "dbias");
}

TEST(Dense, GradientsMatchFiniteDifferencesSmall) { gradient_check<double>(3, 2, 4, 1e-7); }
// Large enough that the products go through BLAS.
TEST(Dense, GradientsMatchFiniteDifferencesLarge) { gradient_check<double>(33, 40, 17, 1e-7); }

TEST(Dense, FloatAgreesWithDouble) {
  mlp::Random rng(5);
  const std::size_t B = 20, C = 30, OC = 25;
  std::vector<double> xd(B * C), wd(OC * C), bd(OC), yd(B * OC);
  for (auto* v : {&xd, &wd, &bd})
    for (auto& e : *v) e = rng.randn();
  std::vector<float> xf(xd.begin(), xd.end()), wf(wd.begin(), wd.end()), bf(bd.begin(), bd.end()), yf(B * OC);
  mlp::dense_forward(yd.data(), xd.data(), wd.data(), bd.data(), B, C, OC);
  mlp::dense_forward(yf.data(), xf.data(), wf.data(), bf.data(), B, C, OC);
  for (std::size_t i = 0; i < yd.size(); ++i) EXPECT_NEAR(yf[i], yd[i], 1e-4 * (1 + std::fabs(yd[i])));
}

}  // namespace
