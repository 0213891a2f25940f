// Tests for the activation functions: golden values from PyTorch
// (scripts/gen_activation_golden.py), finite-difference gradients, finiteness at |x| = 1e4, the
// derivative at each kink, parsing and naming, in-place use, and the tutorial's relu_forward /
// relu_backward.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlp/nn/activation.h"
#include "mlp/core/error.h"
#include "golden.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;
using mlp::parse_activation;

// Every elementwise activation as a spec, with non-default parameters too.
std::vector<std::string> elementwise_specs() {
  std::vector<std::string> specs;
  for (const std::string& name : mlp::activation_names())
    if (!parse_activation(name).row_wise()) specs.push_back(name);
  for (const char* s : {"leaky_relu:0.2", "elu:0.5", "celu:2", "softplus:2:10"}) specs.push_back(s);
  return specs;
}

using mlp_test::golden_number;

struct Golden {
  double x, y, dy;
};

// activation_golden.csv grouped by spec, in file order.
const std::map<std::string, std::vector<Golden>>& golden() {
  static const std::map<std::string, std::vector<Golden>> table = [] {
    std::map<std::string, std::vector<Golden>> t;
    for (const auto& f : mlp_test::read_golden_csv("activation_golden.csv", "activation,x,y,dy")) {
      if (f.size() != 4) throw std::runtime_error("activation_golden.csv: a row without 4 fields");
      t[f[0]].push_back({golden_number(f[1]), golden_number(f[2]), golden_number(f[3])});
    }
    return t;
  }();
  return table;
}

// Counts mismatches and reports the first few in full.
class Mismatches {
 public:
  void check(double got, double want, double abs_tol, double rel_tol, const std::string& what) {
    ++checked_;
    const double err = std::fabs(got - want);
    if (err <= abs_tol + rel_tol * std::fabs(want)) return;  // NaN fails here too
    if (++failed_ <= 20)
      ADD_FAILURE() << what << ": got " << got << ", want " << want << " (|diff| " << err << ")";
  }
  int failed() const { return failed_; }
  int checked() const { return checked_; }

 private:
  int failed_ = 0;
  int checked_ = 0;
};

std::string describe(const std::string& spec, double x, const char* what) {
  std::ostringstream s;
  s.precision(17);
  s << spec << " " << what << " at x = " << x;
  return s.str();
}

}  // namespace

// ---- (1) golden values from PyTorch ---------------------------------------------------------

TEST(ActivationGolden, CoversEveryElementwiseActivation) {
  for (const std::string& spec : elementwise_specs()) {
    const auto it = golden().find(spec);
    ASSERT_NE(it, golden().end()) << spec << " has no golden rows";
    EXPECT_GT(it->second.size(), 200u) << spec;
  }
  EXPECT_EQ(golden().size(), elementwise_specs().size());
}

// Double precision, through both the scalar functions and the buffer kernels. Our results agree
// with torch to a few units in the last place; the absolute floor covers torch's own rounding
// where the value is tiny (e.g. exp(x) - 1 near 0, 1 + erf(x) in the gelu tail).
TEST(ActivationGolden, DoubleMatchesTorch) {
  constexpr double kAbs = 1e-14, kRel = 1e-13;
  Mismatches m;
  for (const auto& [spec, rows] : golden()) {
    const Activation a = parse_activation(spec);
    // torch's hardsigmoid backward multiplies by the float constant 1.0f/6.0f even in float64
    // (0.1666666716337204); ours is exactly 1/6, which differs by 3e-8 relative.
    const double dy_rel = spec == "hard_sigmoid" ? 1e-7 : kRel;

    std::vector<double> x, y(rows.size()), din(rows.size()), ones(rows.size(), 1.0);
    for (const Golden& g : rows) x.push_back(g.x);
    mlp::activation_forward(a, y.data(), x.data(), 1, x.size());
    mlp::activation_backward(a, din.data(), ones.data(), x.data(), y.data(), 1, x.size());

    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Golden& g = rows[i];
      m.check(mlp::activation_value(a, g.x), g.y, kAbs, kRel, describe(spec, g.x, "value"));
      m.check(mlp::activation_derivative(a, g.x), g.dy, kAbs, dy_rel,
              describe(spec, g.x, "derivative"));
      m.check(y[i], g.y, kAbs, kRel, describe(spec, g.x, "forward"));
      m.check(din[i], g.dy, kAbs, dy_rel, describe(spec, g.x, "backward"));
    }
  }
  EXPECT_EQ(m.failed(), 0) << "of " << m.checked();
  EXPECT_GT(m.checked(), 4 * 5000);
}

// The float instantiation on every golden input that float represents exactly (|x| up to 1e4):
// a few float ulps relative, and an absolute floor for the cancellation in y (1 - y) and 1 - y^2.
TEST(ActivationGolden, FloatMatchesTorch) {
  constexpr double kAbs = 5e-7, kRel = 5e-7;
  Mismatches m;
  for (const auto& [spec, rows] : golden()) {
    const Activation a = parse_activation(spec);
    std::vector<float> x;
    std::vector<Golden> want;
    for (const Golden& g : rows)
      if (static_cast<double>(static_cast<float>(g.x)) == g.x) {
        x.push_back(static_cast<float>(g.x));
        want.push_back(g);
      }
    ASSERT_GT(x.size(), 150u) << spec;
    std::vector<float> y(x.size()), din(x.size()), ones(x.size(), 1.0f);
    mlp::activation_forward(a, y.data(), x.data(), 1, x.size());
    mlp::activation_backward(a, din.data(), ones.data(), x.data(), y.data(), 1, x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      m.check(y[i], want[i].y, kAbs, kRel, describe(spec, want[i].x, "float forward"));
      m.check(din[i], want[i].dy, kAbs, kRel, describe(spec, want[i].x, "float backward"));
    }
  }
  EXPECT_EQ(m.failed(), 0) << "of " << m.checked();
}

// softmax and log_softmax rows, including [1000, 0, -1000] and [-1e4, 1e4, 0, 5]: the value and
// the vector-Jacobian product for the upstream gradient in the file, in double and float.
TEST(ActivationGolden, SoftmaxRowsMatchTorch) {
  struct Row {
    std::string spec;
    std::vector<double> x, dout, y, din;
  };
  std::vector<Row> rows;
  for (const auto& f : mlp_test::read_golden_csv("activation_softmax_golden.csv", "activation,row,x,dout,y,din")) {
    ASSERT_EQ(f.size(), 6u);
    const std::string key = f[0] + "#" + f[1];  // lines of one row are consecutive
    if (rows.empty() || rows.back().spec != key) rows.push_back({key, {}, {}, {}, {}});
    rows.back().x.push_back(golden_number(f[2]));
    rows.back().dout.push_back(golden_number(f[3]));
    rows.back().y.push_back(golden_number(f[4]));
    rows.back().din.push_back(golden_number(f[5]));
  }
  ASSERT_GE(rows.size(), 16u);

  Mismatches m;
  int softmax_rows = 0, log_softmax_rows = 0;
  for (const Row& r : rows) {
    const std::string spec = r.spec.substr(0, r.spec.find('#'));
    (spec == "softmax" ? softmax_rows : log_softmax_rows)++;
    const Activation a = parse_activation(spec);
    ASSERT_TRUE(a.row_wise());
    const std::size_t n = r.x.size();

    std::vector<double> y(n), din(n);
    mlp::activation_forward(a, y.data(), r.x.data(), 1, n);
    mlp::activation_backward(a, din.data(), r.dout.data(), r.x.data(), y.data(), 1, n);
    for (std::size_t j = 0; j < n; ++j) {
      m.check(y[j], r.y[j], 1e-14, 1e-13, describe(r.spec, r.x[j], "value"));
      m.check(din[j], r.din[j], 1e-14, 1e-13, describe(r.spec, r.x[j], "vjp"));
    }

    std::vector<float> xf(r.x.begin(), r.x.end()), gf(r.dout.begin(), r.dout.end()), yf(n), dinf(n);
    mlp::activation_forward(a, yf.data(), xf.data(), 1, n);
    mlp::activation_backward(a, dinf.data(), gf.data(), xf.data(), yf.data(), 1, n);
    for (std::size_t j = 0; j < n; ++j) {
      m.check(yf[j], r.y[j], 1e-6, 1e-5, describe(r.spec, r.x[j], "float value"));
      m.check(dinf[j], r.din[j], 1e-6, 1e-5, describe(r.spec, r.x[j], "float vjp"));
    }
  }
  EXPECT_GE(softmax_rows, 8);
  EXPECT_GE(log_softmax_rows, 8);
  EXPECT_EQ(m.failed(), 0) << "of " << m.checked();
}

// The derivative at each kink, as PyTorch 1.13's autograd gives it (also in the golden file;
// spelled out here so that a change is easy to read).
TEST(ActivationKinks, DerivativesAtKinksFollowTorch) {
  const auto d = [](const char* spec, double x) {
    return mlp::activation_derivative(parse_activation(spec), x);
  };
  EXPECT_EQ(d("relu", 0.0), 0.0);
  EXPECT_EQ(d("leaky_relu", 0.0), 0.01);
  EXPECT_EQ(d("leaky_relu:0.2", 0.0), 0.2);
  EXPECT_EQ(d("elu", 0.0), 1.0);      // alpha e^0 from the x <= 0 branch
  EXPECT_EQ(d("elu:0.5", 0.0), 0.5);  // ... which is alpha, not 1
  // selu'(0) = scale * alpha; celu'(0) = e^(0/alpha) = 1.
  EXPECT_DOUBLE_EQ(d("selu", 0.0), 1.0507009873554805 * 1.6732632423543772);
  EXPECT_EQ(d("celu:2", 0.0), 1.0);
  EXPECT_EQ(d("hard_tanh", -1.0), 0.0);
  EXPECT_EQ(d("hard_tanh", 1.0), 0.0);
  EXPECT_EQ(d("relu6", 0.0), 0.0);
  EXPECT_EQ(d("relu6", 6.0), 0.0);
  EXPECT_EQ(d("hard_sigmoid", -3.0), 0.0);
  EXPECT_EQ(d("hard_sigmoid", 3.0), 0.0);
  EXPECT_EQ(d("hard_sigmoid", 0.5), 1.0 / 6.0);
  EXPECT_EQ(d("hard_swish", -3.0), -0.5);  // x/3 + 1/2 on the closed interval [-3, 3]
  EXPECT_EQ(d("hard_swish", 3.0), 1.5);
  EXPECT_EQ(d("hard_swish", std::nextafter(3.0, 4.0)), 1.0);
  EXPECT_EQ(d("hard_swish", std::nextafter(-3.0, -4.0)), 0.0);
  EXPECT_EQ(d("gelu", 0.0), 0.5);
  EXPECT_EQ(d("gelu_tanh", 0.0), 0.5);
  EXPECT_EQ(d("silu", 0.0), 0.5);
  EXPECT_DOUBLE_EQ(d("mish", 0.0), 0.6);  // tanh(log 2)
  EXPECT_EQ(d("softsign", 0.0), 1.0);
  // softplus switches to linear only strictly above the threshold (beta x > 20).
  EXPECT_DOUBLE_EQ(d("softplus", 20.0), 1.0 / (1.0 + std::exp(-20.0)));
  EXPECT_LT(d("softplus", 20.0), 1.0);
  EXPECT_EQ(d("softplus", std::nextafter(20.0, 21.0)), 1.0);
  EXPECT_EQ(mlp::activation_value(parse_activation("softplus:2:10"), 5.5), 5.5);
}

// ---- (2) finite differences ------------------------------------------------------------------

namespace {

// Points in [-8, 8] and a few beyond, at least 1e-3 away from every kink.
std::vector<double> smooth_points() {
  const double kinks[] = {0, 1, -1, 3, -3, 6, 20, 5};
  std::vector<double> xs;
  for (double x = -7.93; x < 8; x += 0.173) xs.push_back(x);
  for (double x : {-25.5, -15.25, 12.5, 18.75, 21.5, 33.0}) xs.push_back(x);
  std::erase_if(xs, [&](double x) {
    return std::any_of(std::begin(kinks), std::end(kinks),
                       [&](double k) { return std::fabs(x - k) < 1e-3; });
  });
  return xs;
}

}  // namespace

// Central differences (f(x+h) - f(x-h)) / 2h with h = 1e-6 through the buffer kernels: truncation
// error ~h^2 |f'''| and rounding ~1e-16 |f| / h, both far inside the limits.
TEST(ActivationGradient, ElementwiseMatchesCentralDifferences) {
  constexpr double h = 1e-6, kAbs = 1e-7, kRel = 1e-6;
  const std::vector<double> xs = smooth_points();
  const std::size_t n = xs.size();
  ASSERT_GT(n, 90u);
  Mismatches m;
  for (const std::string& spec : elementwise_specs()) {
    const Activation a = parse_activation(spec);
    std::vector<double> y(n), din(n), ones(n, 1.0), xp(n), xm(n), yp(n), ym(n);
    for (std::size_t i = 0; i < n; ++i) {
      xp[i] = xs[i] + h;
      xm[i] = xs[i] - h;
    }
    mlp::activation_forward(a, y.data(), xs.data(), n, 1);
    mlp::activation_backward(a, din.data(), ones.data(), xs.data(), y.data(), n, 1);
    mlp::activation_forward(a, yp.data(), xp.data(), n, 1);
    mlp::activation_forward(a, ym.data(), xm.data(), n, 1);
    for (std::size_t i = 0; i < n; ++i)
      m.check(din[i], (yp[i] - ym[i]) / (2 * h), kAbs, kRel, describe(spec, xs[i], "gradient"));
  }
  EXPECT_EQ(m.failed(), 0) << "of " << m.checked();
}

// For the row-wise ones, L = sum(u * f(X)) with a random upstream u over a (3, 5) batch:
// dL/dX from activation_backward against central differences of L in each entry.
TEST(ActivationGradient, SoftmaxAndLogSoftmaxMatchCentralDifferences) {
  constexpr std::size_t rows = 3, cols = 5;
  constexpr double h = 1e-6, kAbs = 1e-8, kRel = 1e-6;
  std::mt19937 rng(12345);
  std::normal_distribution<double> normal(0.0, 3.0);
  std::vector<double> x(rows * cols), u(rows * cols);
  for (double& v : x) v = normal(rng);
  for (double& v : u) v = normal(rng);

  Mismatches m;
  for (const char* spec : {"softmax", "log_softmax"}) {
    const Activation a = parse_activation(spec);
    const auto loss = [&](const std::vector<double>& in) {
      std::vector<double> y(in.size());
      mlp::activation_forward(a, y.data(), in.data(), rows, cols);
      double l = 0;
      for (std::size_t i = 0; i < y.size(); ++i) l += u[i] * y[i];
      return l;
    };
    std::vector<double> y(rows * cols), din(rows * cols);
    mlp::activation_forward(a, y.data(), x.data(), rows, cols);
    mlp::activation_backward(a, din.data(), u.data(), x.data(), y.data(), rows, cols);
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::vector<double> xp = x, xm = x;
      xp[i] += h;
      xm[i] -= h;
      m.check(din[i], (loss(xp) - loss(xm)) / (2 * h), kAbs, kRel,
              describe(spec, x[i], "gradient"));
    }
  }
  EXPECT_EQ(m.failed(), 0) << "of " << m.checked();
}

// ---- (3) finiteness and stability at large |x| -----------------------------------------------

namespace {

template <typename T>
void expect_finite_at_large_inputs() {
  const std::vector<T> x = {T(-1e4), T(-1e3), T(-100), T(-30), T(0), T(30), T(100), T(1e3), T(1e4)};
  const std::size_t n = x.size();
  std::vector<std::string> specs = elementwise_specs();
  specs.push_back("softmax");
  specs.push_back("log_softmax");
  for (const std::string& spec : specs) {
    const Activation a = parse_activation(spec);
    std::vector<T> y(n), din(n), ones(n, T(1));
    mlp::activation_forward(a, y.data(), x.data(), 1, n);
    mlp::activation_backward(a, din.data(), ones.data(), x.data(), y.data(), 1, n);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_TRUE(std::isfinite(y[i])) << spec << "(" << x[i] << ") = " << y[i];
      EXPECT_TRUE(std::isfinite(din[i])) << spec << "'(" << x[i] << ") = " << din[i];
    }
  }
}

template <typename T>
T value(const char* spec, T x) {
  T y;
  mlp::activation_forward(parse_activation(spec), &y, &x, 1, 1);
  return y;
}

template <typename T>
T derivative(const char* spec, T x) {
  const Activation a = parse_activation(spec);
  T y, d, one = 1;
  mlp::activation_forward(a, &y, &x, 1, 1);
  mlp::activation_backward(a, &d, &one, &x, &y, 1, 1);
  return d;
}

template <typename T>
void expect_correct_tails() {
  const T big = T(1e4);
  EXPECT_EQ(value("softplus", big), big);
  EXPECT_EQ(value("softplus", -big), T(0));
  EXPECT_EQ(derivative("softplus", big), T(1));
  EXPECT_EQ(value("log_sigmoid", -big), -big);
  EXPECT_EQ(derivative("log_sigmoid", -big), T(1));
  EXPECT_EQ(value("log_sigmoid", big), T(0));
  EXPECT_EQ(value("mish", big), big);
  EXPECT_EQ(derivative("mish", big), T(1));
  EXPECT_EQ(value("mish", -big), T(0));
  EXPECT_EQ(value("silu", big), big);
  EXPECT_EQ(derivative("silu", big), T(1));
  EXPECT_EQ(value("silu", -big), T(0));
  EXPECT_EQ(value("sigmoid", -big), T(0));
  EXPECT_EQ(value("sigmoid", big), T(1));
  EXPECT_EQ(value("gelu", big), big);
  EXPECT_EQ(value("gelu", -big), T(0));
  EXPECT_EQ(derivative("gelu", -big), T(0));
  EXPECT_EQ(value("gelu_tanh", big), big);
  EXPECT_EQ(derivative("gelu_tanh", big), T(1));
  EXPECT_EQ(value("elu", -big), T(-1));
  EXPECT_EQ(derivative("elu", -big), T(0));
  EXPECT_NEAR(value("selu", -big), T(-1.0507009873554805 * 1.6732632423543772), T(1e-6));
  EXPECT_EQ(value("celu:2", -big), T(-2));
  // softmax of [1e4, -1e4, 0] = [1, 0, 0]; log_softmax = [0, -2e4, -1e4].
  const T x[3] = {big, -big, T(0)};
  T y[3];
  mlp::activation_forward(parse_activation("softmax"), y, x, 1, 3);
  EXPECT_EQ(y[0], T(1));
  EXPECT_EQ(y[1], T(0));
  EXPECT_EQ(y[2], T(0));
  mlp::activation_forward(parse_activation("log_softmax"), y, x, 1, 3);
  EXPECT_EQ(y[0], T(0));
  EXPECT_EQ(y[1], T(-2e4));
  EXPECT_EQ(y[2], T(-1e4));
}

}  // namespace

TEST(ActivationStability, FiniteAtLargeInputsDouble) { expect_finite_at_large_inputs<double>(); }
TEST(ActivationStability, FiniteAtLargeInputsFloat) { expect_finite_at_large_inputs<float>(); }
TEST(ActivationStability, CorrectTailsDouble) { expect_correct_tails<double>(); }
TEST(ActivationStability, CorrectTailsFloat) { expect_correct_tails<float>(); }

TEST(ActivationStability, NanPropagatesThroughForward) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const std::string& spec : elementwise_specs())
    EXPECT_TRUE(std::isnan(mlp::activation_value(parse_activation(spec), nan))) << spec;
}

// ---- buffers: rows, columns and in-place use -------------------------------------------------

// out may be in and din may be dout; the results must not change.
TEST(ActivationBuffers, InPlaceMatchesOutOfPlace) {
  std::vector<std::string> specs = elementwise_specs();
  specs.push_back("softmax");
  specs.push_back("log_softmax");
  const std::size_t rows = 3, cols = 4;
  const std::vector<double> x = {-4, -1.5, 0.25, 2, 7, -0.5, 3.5, 1, 0.1, -9, 5, 21};
  const std::vector<double> g = {0.5, -1, 2, 0.25, 1, 1, -3, 0.5, 2, -0.5, 1.5, 1};
  for (const std::string& spec : specs) {
    const Activation a = parse_activation(spec);
    std::vector<double> y(x.size()), din(x.size());
    mlp::activation_forward(a, y.data(), x.data(), rows, cols);
    mlp::activation_backward(a, din.data(), g.data(), x.data(), y.data(), rows, cols);

    std::vector<double> buf = x;
    mlp::activation_forward(a, buf.data(), buf.data(), rows, cols);
    EXPECT_EQ(buf, y) << spec;
    std::vector<double> grad = g;
    mlp::activation_backward(a, grad.data(), grad.data(), x.data(), y.data(), rows, cols);
    EXPECT_EQ(grad, din) << spec;
  }
}

// softmax works on each row separately: every row sums to 1 and equals the row done alone.
TEST(ActivationBuffers, SoftmaxIsPerRow) {
  const Activation a = parse_activation("softmax");
  const std::vector<double> x = {1, 2, 3, 1000, 1000, -5};
  std::vector<double> y(6), row(3);
  mlp::activation_forward(a, y.data(), x.data(), 2, 3);
  for (std::size_t r = 0; r < 2; ++r) {
    mlp::activation_forward(a, row.data(), x.data() + 3 * r, 1, 3);
    EXPECT_DOUBLE_EQ(y[3 * r] + y[3 * r + 1] + y[3 * r + 2], 1.0);
    for (std::size_t j = 0; j < 3; ++j) EXPECT_EQ(y[3 * r + j], row[j]);
  }
  // Row 2: e^0 / (e^0 + e^0 + e^-1005) = 1/2 each for the two equal maxima.
  EXPECT_DOUBLE_EQ(y[3], 0.5);
  EXPECT_DOUBLE_EQ(y[4], 0.5);
}

// ---- (4) parsing and naming -----------------------------------------------------------------

namespace {

std::string joined_names() {
  std::string s;
  for (const std::string& n : mlp::activation_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// The InvalidArgument message parse_activation throws for spec ("" if it does not throw).
std::string parse_error(const std::string& spec) {
  try {
    parse_activation(spec);
  } catch (const mlp::InvalidArgument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ActivationNames, CanonicalNamesInEnumOrder) {
  const std::vector<std::string> expected = {
      "identity",    "relu",      "leaky_relu", "elu",  "selu",         "celu",
      "gelu",        "gelu_tanh", "sigmoid",    "tanh", "hard_sigmoid", "hard_tanh",
      "relu6",       "softplus",  "softsign",   "silu", "mish",         "hard_swish",
      "log_sigmoid", "softmax",   "log_softmax"};
  EXPECT_EQ(mlp::activation_names(), expected);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Activation a = parse_activation(expected[i]);
    EXPECT_EQ(static_cast<std::size_t>(a.kind), i) << expected[i];
    EXPECT_EQ(a.name(), expected[i]);
    EXPECT_EQ(a.row_wise(), expected[i] == "softmax" || expected[i] == "log_softmax");
  }
}

TEST(ActivationNames, DefaultsAndParameters) {
  EXPECT_EQ(parse_activation("leaky_relu").alpha, 0.01);
  EXPECT_EQ(parse_activation("leaky_relu:0.2").alpha, 0.2);
  EXPECT_EQ(parse_activation("elu").alpha, 1.0);
  EXPECT_EQ(parse_activation("elu:0.5").alpha, 0.5);
  EXPECT_EQ(parse_activation("celu:2").alpha, 2.0);
  const Activation sp = parse_activation("softplus");
  EXPECT_EQ(sp.beta, 1.0);
  EXPECT_EQ(sp.threshold, 20.0);
  const Activation sp2 = parse_activation("softplus:2:10");
  EXPECT_EQ(sp2.beta, 2.0);
  EXPECT_EQ(sp2.threshold, 10.0);
  EXPECT_EQ(parse_activation("softplus:3").threshold, 20.0);
  EXPECT_EQ(parse_activation("leaky_relu:-1e-3").alpha, -1e-3);
}

TEST(ActivationNames, NameRoundTrips) {
  // Parameters appear only when they differ from the defaults parse_activation uses.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"leaky_relu", "leaky_relu"},
      {"leaky_relu:0.01", "leaky_relu"},
      {"leaky_relu:0.2", "leaky_relu:0.2"},
      {"leaky_relu:1", "leaky_relu:1"},
      {"elu:1", "elu"},
      {"elu:0.5", "elu:0.5"},
      {"celu:2", "celu:2"},
      {"celu:1.0", "celu"},
      {"softplus", "softplus"},
      {"softplus:1:20", "softplus"},
      {"softplus:2", "softplus:2"},
      {"softplus:2:20", "softplus:2"},
      {"softplus:2:10", "softplus:2:10"},
      {"softplus:1:10", "softplus:1:10"},
      {"leaky_relu:1e-05", "leaky_relu:1e-05"},
      {"elu:0.1", "elu:0.1"},
  };
  for (const auto& [spec, name] : cases) {
    const Activation a = parse_activation(spec);
    EXPECT_EQ(a.name(), name) << spec;
    const Activation b = parse_activation(a.name());
    EXPECT_EQ(b.kind, a.kind) << spec;
    EXPECT_EQ(b.alpha, a.alpha) << spec;
    EXPECT_EQ(b.beta, a.beta) << spec;
    EXPECT_EQ(b.threshold, a.threshold) << spec;
  }
  // An odd value survives the round trip bit for bit.
  Activation odd = parse_activation("elu");
  odd.alpha = 0.1 + 0.2;
  EXPECT_EQ(parse_activation(odd.name()).alpha, odd.alpha);
  // Parameters of kinds that take none do not show.
  Activation relu = parse_activation("relu");
  relu.alpha = 7;
  EXPECT_EQ(relu.name(), "relu");
}

TEST(ActivationNames, Aliases) {
  EXPECT_EQ(parse_activation("swish").kind, ActivationKind::silu);
  EXPECT_EQ(parse_activation("none").kind, ActivationKind::identity);
  EXPECT_EQ(parse_activation("linear").kind, ActivationKind::identity);
  EXPECT_EQ(parse_activation("swish").name(), "silu");
  EXPECT_EQ(parse_activation("linear").name(), "identity");
}

TEST(ActivationNames, BadSpecsThrowWithTheListOfNames) {
  const std::string names = joined_names();
  ASSERT_NE(names.find("identity, relu, leaky_relu"), std::string::npos);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"foo", "unknown activation 'foo'"},
      {"", "unknown activation ''"},
      {"Relu", "unknown activation 'Relu'"},
      {"foo:1", "unknown activation 'foo'"},
      {"relu:0.1", "takes no parameters"},
      {"swish:1", "takes no parameters"},
      {"softmax:2", "takes no parameters"},
      {"leaky_relu:0.1:2", "takes at most 1 parameter"},
      {"softplus:1:2:3", "takes at most 2 parameters"},
      {"leaky_relu:abc", "'abc' is not a finite number"},
      {"elu:", "'' is not a finite number"},
      {"elu:0.5x", "'0.5x' is not a finite number"},
      {"softplus:2:nan", "'nan' is not a finite number"},
      {"celu:inf", "'inf' is not a finite number"},
  };
  for (const auto& [spec, what] : cases) {
    const std::string msg = parse_error(spec);
    ASSERT_FALSE(msg.empty()) << "'" << spec << "' did not throw InvalidArgument";
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
    EXPECT_NE(msg.find(names), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(ActivationNames, OutOfRangeParametersThrow) {
  EXPECT_NE(parse_error("celu:0").find("alpha"), std::string::npos);
  EXPECT_NE(parse_error("softplus:0").find("beta"), std::string::npos);
  EXPECT_NE(parse_error("softplus:-1:20").find("beta"), std::string::npos);
  // The same checks guard a hand-built Activation.
  Activation a = parse_activation("softplus");
  a.beta = 0;
  double x = 1, y = 0;
  EXPECT_THROW(mlp::activation_forward(a, &y, &x, 1, 1), mlp::InvalidArgument);
  EXPECT_THROW(mlp::activation_value(a, 1.0), mlp::InvalidArgument);
  Activation bad;
  bad.kind = static_cast<ActivationKind>(99);
  EXPECT_THROW(mlp::activation_forward(bad, &y, &x, 1, 1), mlp::InvalidArgument);
}

TEST(ActivationNames, ScalarFormsRejectRowWiseKinds) {
  for (const char* spec : {"softmax", "log_softmax"}) {
    EXPECT_THROW(mlp::activation_value(parse_activation(spec), 1.0), mlp::InvalidArgument) << spec;
    EXPECT_THROW(mlp::activation_derivative(parse_activation(spec), 1.0), mlp::InvalidArgument)
        << spec;
  }
}

// ---- (5) the tutorial's relu ----------------------------------------------------------------

TEST(ActivationTutorialRelu, ForwardAndBackwardByHand) {
  // in = [-2, -0.5, 0, 0.5, 3] -> max(0, in) = [0, 0, 0, 0.5, 3].
  const double in[5] = {-2, -0.5, 0, 0.5, 3};
  double out[5];
  mlp::relu_forward(out, in, 5);
  const double want_out[5] = {0, 0, 0, 0.5, 3};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], want_out[i]) << i;

  // dout = [1, 2, 3, 4, 5]; (out > 0) = [0, 0, 0, 1, 1] -> din = [0, 0, 0, 4, 5].
  const double dout[5] = {1, 2, 3, 4, 5};
  double din[5];
  mlp::relu_backward(din, out, dout, 5);
  const double want_din[5] = {0, 0, 0, 4, 5};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(din[i], want_din[i]) << i;
}

TEST(ActivationTutorialRelu, InPlaceFloat) {
  // x = [1.5, -1, 0, 2] -> relu in place: [1.5, 0, 0, 2].
  float x[4] = {1.5f, -1.0f, 0.0f, 2.0f};
  mlp::relu_forward(x, x, 4);
  EXPECT_EQ(x[0], 1.5f);
  EXPECT_EQ(x[1], 0.0f);
  EXPECT_EQ(x[2], 0.0f);
  EXPECT_EQ(x[3], 2.0f);
  // g = [10, 20, 30, 40] in place: (x > 0) * g = [10, 0, 0, 40].
  float g[4] = {10, 20, 30, 40};
  mlp::relu_backward(g, x, g, 4);
  EXPECT_EQ(g[0], 10.0f);
  EXPECT_EQ(g[1], 0.0f);
  EXPECT_EQ(g[2], 0.0f);
  EXPECT_EQ(g[3], 40.0f);
}

// relu through activation_forward agrees with the tutorial's version.
TEST(ActivationTutorialRelu, MatchesActivationRelu) {
  const std::vector<double> x = {-3, -1e-300, 0, 1e-300, 2.5, 1e4};
  std::vector<double> a(x.size()), b(x.size()), da(x.size()), db(x.size());
  const std::vector<double> g = {1, 2, 3, 4, 5, 6};
  mlp::relu_forward(a.data(), x.data(), x.size());
  mlp::activation_forward(parse_activation("relu"), b.data(), x.data(), 1, x.size());
  EXPECT_EQ(a, b);
  mlp::relu_backward(da.data(), a.data(), g.data(), x.size());
  mlp::activation_backward(parse_activation("relu"), db.data(), g.data(), x.data(), b.data(), 1,
                           x.size());
  EXPECT_EQ(da, db);
}
