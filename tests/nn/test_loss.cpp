// Tests for the loss functions: PyTorch golden values (tests/fixtures/loss_golden.txt, written by
// scripts/gen_loss_golden.py), finite-difference gradients, hand-worked cases, errors, and the
// parse_loss / Loss::name spelling.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/nn/loss.h"
#include "golden.h"

namespace {

using mlp::InvalidArgument;
using mlp::Loss;
using mlp::LossKind;
using mlp::parse_loss;

// ---- golden file ------------------------------------------------------------------------------

struct GoldenCase {
  std::string label, spec;
  std::size_t rows = 0, cols = 0;
  bool float_ok = false;
  std::vector<double> p, y, grad;
  double loss = 0;
};

// "case LABEL SPEC ROWS COLS FLOAT", then "p ...", "y ...", "loss V", "grad ...".
std::vector<GoldenCase> load_golden() {
  std::vector<GoldenCase> cases;
  for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("loss_golden.txt")) {
    if (line.key == "case") {
      GoldenCase c;
      c.label = line.word(0);
      c.spec = line.word(1);
      c.rows = line.count(2);
      c.cols = line.count(3);
      c.float_ok = line.count(4) == 1;
      cases.push_back(c);
      continue;
    }
    if (cases.empty()) throw std::runtime_error(line.where + ": data before the first case");
    GoldenCase& c = cases.back();
    std::vector<double> v = line.nums();
    if (line.key == "p") c.p = v;
    else if (line.key == "y") c.y = v;
    else if (line.key == "grad") c.grad = v;
    else if (line.key == "loss" && v.size() == 1) c.loss = v[0];
    else throw std::runtime_error(line.where + ": bad line: " + line.text);
  }
  return cases;
}

const std::vector<GoldenCase>& golden() {
  static const std::vector<GoldenCase> cases = load_golden();
  return cases;
}

// |got - want| <= rel |want| + abs.
::testing::AssertionResult near(double got, double want, double rel, double abs) {
  double err = std::abs(got - want);
  if (err <= rel * std::abs(want) + abs) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want << " (error " << err
                                       << " > " << rel << " * |want| + " << abs << ")";
}

TEST(LossGolden, FileIsWellFormedAndCoversEveryLoss) {
  const auto& cases = golden();
  ASSERT_GE(cases.size(), 20u);
  std::set<LossKind> kinds;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    Loss loss = parse_loss(c.spec);
    kinds.insert(loss.kind);
    std::size_t n = c.rows * c.cols;
    EXPECT_EQ(c.p.size(), n);
    EXPECT_EQ(c.y.size(), loss.class_targets() ? c.rows : n);
    EXPECT_EQ(c.grad.size(), n);
  }
  EXPECT_EQ(kinds.size(), mlp::loss_names().size());
}

TEST(LossGolden, DoubleMatchesTorch) {
  std::size_t checked = 0;
  for (const auto& c : golden()) {
    SCOPED_TRACE(c.label + " (" + c.spec + ")");
    Loss loss = parse_loss(c.spec);
    double value = mlp::loss_forward(loss, c.p.data(), c.y.data(), c.rows, c.cols);
    EXPECT_TRUE(near(value, c.loss, 1e-12, 1e-14)) << "loss";
    std::vector<double> dp(c.p.size(), std::numeric_limits<double>::quiet_NaN());
    mlp::loss_backward(loss, dp.data(), c.p.data(), c.y.data(), c.rows, c.cols);
    ASSERT_EQ(dp.size(), c.grad.size());
    for (std::size_t i = 0; i < dp.size(); ++i) EXPECT_TRUE(near(dp[i], c.grad[i], 1e-12, 1e-14)) << "grad " << i;
    ++checked;
  }
  EXPECT_GE(checked, 20u);
}

// The float cases' inputs are exact in float32 and the loss is summed in double, so the loss agrees
// with the double golden value as closely as in double; the gradient is rounded to float.
TEST(LossGolden, FloatMatchesTorch) {
  std::size_t checked = 0;
  for (const auto& c : golden()) {
    if (!c.float_ok) continue;
    SCOPED_TRACE(c.label + " (" + c.spec + ")");
    Loss loss = parse_loss(c.spec);
    std::vector<float> p(c.p.begin(), c.p.end()), y(c.y.begin(), c.y.end());
    for (std::size_t i = 0; i < p.size(); ++i) ASSERT_EQ(static_cast<double>(p[i]), c.p[i]) << "p not exact in float";
    double value = mlp::loss_forward(loss, p.data(), y.data(), c.rows, c.cols);
    EXPECT_TRUE(near(value, c.loss, 1e-12, 1e-14)) << "loss";
    std::vector<float> dp(p.size(), std::numeric_limits<float>::quiet_NaN());
    mlp::loss_backward(loss, dp.data(), p.data(), y.data(), c.rows, c.cols);
    for (std::size_t i = 0; i < dp.size(); ++i) EXPECT_TRUE(near(dp[i], c.grad[i], 1e-6, 1e-12)) << "grad " << i;
    ++checked;
  }
  EXPECT_GE(checked, 20u);
}

// ---- finite differences -----------------------------------------------------------------------

// Uniform in [lo, hi), the same on every platform (std distributions are not).
double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng() >> 11) * 0x1p-53;
}

// Inputs (rows, cols) for a loss, kept at least 0.05 away from its kinks (mae at p = y, huber and
// smooth_l1 at |p - y| = delta) and bce's ends.
void fd_inputs(const Loss& loss, std::size_t rows, std::size_t cols, std::vector<double>& p, std::vector<double>& y,
               std::mt19937_64& rng) {
  p.assign(rows * cols, 0);
  y.assign(loss.class_targets() ? rows : rows * cols, 0);
  if (loss.class_targets()) {
    for (auto& v : p) v = uniform(rng, -3, 3);
    for (auto& v : y) v = std::floor(uniform(rng, 0, static_cast<double>(cols)));
    return;
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    bool bce = loss.kind == LossKind::bce;
    bool binary = bce || loss.kind == LossKind::bce_with_logits;
    do {
      p[i] = bce ? uniform(rng, 0.05, 0.95) : uniform(rng, -3, 3);
      y[i] = binary ? uniform(rng, 0, 1) : uniform(rng, -3, 3);
    } while (std::abs(p[i] - y[i]) < 0.05 || std::abs(std::abs(p[i] - y[i]) - loss.delta) < 0.05);
  }
}

class LossFiniteDifference : public ::testing::TestWithParam<const char*> {};

TEST_P(LossFiniteDifference, GradientMatchesCentralDifference) {
  Loss loss = parse_loss(GetParam());
  std::mt19937_64 rng(1234);
  for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{4, 3}, {3, 1}, {1, 5}}) {
    SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols));
    std::vector<double> p, y;
    fd_inputs(loss, rows, cols, p, y, rng);
    std::vector<double> dp(p.size());
    mlp::loss_backward(loss, dp.data(), p.data(), y.data(), rows, cols);
    const double h = 1e-6;
    for (std::size_t i = 0; i < p.size(); ++i) {
      double saved = p[i];
      p[i] = saved + h;
      double up = mlp::loss_forward(loss, p.data(), y.data(), rows, cols);
      p[i] = saved - h;
      double down = mlp::loss_forward(loss, p.data(), y.data(), rows, cols);
      p[i] = saved;
      double numeric = (up - down) / (2 * h);
      // Rounding in (up - down) / 2h is ~1e-16 / 1e-6; truncation is ~h^2 |f'''|.
      EXPECT_TRUE(near(dp[i], numeric, 1e-6, 1e-8)) << "element " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllLosses, LossFiniteDifference,
                         ::testing::Values("mse", "mae", "huber", "huber:0.3", "smooth_l1", "smooth_l1:2", "bce",
                                           "bce_with_logits", "cross_entropy", "nll"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (auto& ch : s)
                             if (ch == ':' || ch == '.') ch = '_';
                           return s;
                         });

// ---- hand-worked values -----------------------------------------------------------------------

TEST(LossByHand, Mse) {
  // mean((1-0)^2, (2-0)^2) = (1 + 4) / 2 = 2.5; gradient 2 (p - y) / 2 = [1, 2].
  std::vector<double> p = {1, 2}, y = {0, 0}, dp(2);
  Loss loss = parse_loss("mse");
  EXPECT_DOUBLE_EQ(mlp::loss_forward(loss, p.data(), y.data(), 2, 1), 2.5);
  mlp::loss_backward(loss, dp.data(), p.data(), y.data(), 2, 1);
  EXPECT_DOUBLE_EQ(dp[0], 1.0);
  EXPECT_DOUBLE_EQ(dp[1], 2.0);
}

TEST(LossByHand, HuberAndSmoothL1) {
  // d = p - y = [3, 0.5, -2]; huber delta 1: [1 * (3 - 0.5), 0.5 * 0.25, 1 * (2 - 0.5)] = [2.5, 0.125, 1.5],
  // mean 4.125 / 3 = 1.375; gradient [1, 0.5, -1] / 3.
  std::vector<double> p = {3, 0.5, -2}, y = {0, 0, 0}, dp(3);
  Loss huber = parse_loss("huber");
  EXPECT_DOUBLE_EQ(mlp::loss_forward(huber, p.data(), y.data(), 1, 3), 1.375);
  mlp::loss_backward(huber, dp.data(), p.data(), y.data(), 1, 3);
  EXPECT_DOUBLE_EQ(dp[0], 1.0 / 3);
  EXPECT_DOUBLE_EQ(dp[1], 0.5 / 3);
  EXPECT_DOUBLE_EQ(dp[2], -1.0 / 3);
  // smooth_l1 beta 2: [3 - 1, 0.5 * 0.25 / 2, 2 - 1] = [2, 0.0625, 1], mean 3.0625 / 3.
  EXPECT_DOUBLE_EQ(mlp::loss_forward(parse_loss("smooth_l1:2"), p.data(), y.data(), 1, 3), 3.0625 / 3);
}

TEST(LossByHand, BinaryAndClassLosses) {
  // bce of p = 0.5 against y = 1 is -log(0.5) = log 2; bce_with_logits of x = 0 (sigmoid 0.5) too.
  double half = 0.5, zero = 0.0, one = 1.0;
  EXPECT_DOUBLE_EQ(mlp::loss_forward(parse_loss("bce"), &half, &one, 1, 1), std::log(2.0));
  EXPECT_DOUBLE_EQ(mlp::loss_forward(parse_loss("bce_with_logits"), &zero, &one, 1, 1), std::log(2.0));
  // cross_entropy of logits [0, 0] for class 1: -log(1/2) = log 2; gradient softmax - onehot = [0.5, -0.5].
  std::vector<double> x = {0, 0}, dx(2);
  EXPECT_DOUBLE_EQ(mlp::loss_forward(parse_loss("ce"), x.data(), &one, 1, 2), std::log(2.0));
  mlp::loss_backward(parse_loss("ce"), dx.data(), x.data(), &one, 1, 2);
  EXPECT_DOUBLE_EQ(dx[0], 0.5);
  EXPECT_DOUBLE_EQ(dx[1], -0.5);
  // nll of log-probabilities [[-1, -2], [-3, -4]] for classes [1, 0]: (2 + 3) / 2 = 2.5; gradient -1/2 at targets.
  std::vector<double> lp = {-1, -2, -3, -4}, t = {1, 0}, dlp(4, 7.0);
  EXPECT_DOUBLE_EQ(mlp::loss_forward(parse_loss("nll"), lp.data(), t.data(), 2, 2), 2.5);
  mlp::loss_backward(parse_loss("nll"), dlp.data(), lp.data(), t.data(), 2, 2);
  EXPECT_EQ(dlp, (std::vector<double>{0, -0.5, -0.5, 0}));
}

TEST(LossStability, HugeLogitsStayFinite) {
  // All four logits 1e4: softmax is uniform, so the loss is log 4 for any class.
  std::vector<float> x(4, 1e4f), dx(4);
  float target = 2;
  Loss ce = parse_loss("cross_entropy");
  EXPECT_NEAR(mlp::loss_forward(ce, x.data(), &target, 1, 4), std::log(4.0), 1e-12);
  mlp::loss_backward(ce, dx.data(), x.data(), &target, 1, 4);
  EXPECT_FLOAT_EQ(dx[2], -0.75f);
  // bce_with_logits at x = -1e4 with y = 1 costs 1e4; naively log(1 + exp(1e4)) overflows.
  double xl = -1e4, one = 1.0, d = 0;
  EXPECT_DOUBLE_EQ(mlp::loss_forward(parse_loss("bce_with_logits"), &xl, &one, 1, 1), 1e4);
  mlp::loss_backward(parse_loss("bce_with_logits"), &d, &xl, &one, 1, 1);
  EXPECT_DOUBLE_EQ(d, -1.0);
}

// ---- errors -----------------------------------------------------------------------------------

// The InvalidArgument message of f(), or "" when it does not throw one.
template <typename F>
std::string invalid_argument_message(F f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(LossErrors, ClassIndexOutOfRange) {
  std::vector<double> x(6, 0.0), dx(6), t = {0, 3};  // 3 classes: 3 is out of range
  for (const char* name : {"cross_entropy", "nll"}) {
    SCOPED_TRACE(name);
    Loss loss = parse_loss(name);
    std::string msg = invalid_argument_message([&] { mlp::loss_forward(loss, x.data(), t.data(), 2, 3); });
    EXPECT_TRUE(contains(msg, "row 1")) << msg;
    EXPECT_TRUE(contains(msg, "is 3")) << msg;
    EXPECT_TRUE(contains(msg, "3 classes")) << msg;
    EXPECT_THROW(mlp::loss_backward(loss, dx.data(), x.data(), t.data(), 2, 3), InvalidArgument);
  }
  std::vector<float> xf(6, 0.f), tf = {-1.f, 0.f};
  std::string msg =
      invalid_argument_message([&] { mlp::loss_forward(parse_loss("ce"), xf.data(), tf.data(), 2, 3); });
  EXPECT_TRUE(contains(msg, "row 0") && contains(msg, "is -1")) << msg;
}

TEST(LossErrors, ClassIndexNotInteger) {
  std::vector<double> x(6, 0.0), dx(6);
  for (double bad : {1.5, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    std::vector<double> t = {bad, 0};
    for (const char* name : {"cross_entropy", "nll"}) {
      SCOPED_TRACE(std::string(name) + " " + std::to_string(bad));
      std::string msg =
          invalid_argument_message([&] { mlp::loss_forward(parse_loss(name), x.data(), t.data(), 2, 3); });
      EXPECT_TRUE(contains(msg, "row 0") && contains(msg, "not an integer") && contains(msg, "3 classes")) << msg;
      EXPECT_THROW(mlp::loss_backward(parse_loss(name), dx.data(), x.data(), t.data(), 2, 3), InvalidArgument);
    }
  }
  std::vector<double> t = {1.5, 0};
  EXPECT_TRUE(contains(
      invalid_argument_message([&] { mlp::loss_forward(parse_loss("nll"), x.data(), t.data(), 2, 3); }), "1.5"));
}

TEST(LossErrors, BinaryLossRanges) {
  double p_bad = 1.5, p_ok = 0.5, y_bad = 2.0, y_ok = 1.0, d = 0;
  Loss bce = parse_loss("bce");
  std::string msg = invalid_argument_message([&] { mlp::loss_forward(bce, &p_bad, &y_ok, 1, 1); });
  EXPECT_TRUE(contains(msg, "1.5") && contains(msg, "bce_with_logits")) << msg;
  EXPECT_THROW(mlp::loss_forward(bce, &p_ok, &y_bad, 1, 1), InvalidArgument);
  EXPECT_THROW(mlp::loss_backward(bce, &d, &p_bad, &y_ok, 1, 1), InvalidArgument);
  EXPECT_THROW(mlp::loss_forward(parse_loss("bce_with_logits"), &p_bad, &y_bad, 1, 1), InvalidArgument);
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(mlp::loss_forward(bce, &nan, &y_ok, 1, 1), mlp::NumericError);
}

TEST(LossErrors, EmptyBatchAndBadDelta) {
  double p = 0, y = 0;
  EXPECT_THROW(mlp::loss_forward(parse_loss("mse"), &p, &y, 0, 1), InvalidArgument);
  EXPECT_THROW(mlp::loss_forward(parse_loss("ce"), &p, &y, 1, 0), InvalidArgument);
  Loss huber{LossKind::huber, 0.0};  // not reachable through parse_loss
  EXPECT_THROW(mlp::loss_forward(huber, &p, &y, 1, 1), InvalidArgument);
  EXPECT_THROW(mlp::loss_backward(huber, &p, &p, &y, 1, 1), InvalidArgument);
}

TEST(LossParse, UnknownNameListsValidNames) {
  for (const char* spec : {"foo", "", "MSE", "cross-entropy", ":1", "mse "}) {
    SCOPED_TRACE(spec);
    std::string msg = invalid_argument_message([&] { parse_loss(spec); });
    ASSERT_FALSE(msg.empty());
    EXPECT_FALSE(contains(msg, "\n"));
    for (const auto& name : mlp::loss_names()) EXPECT_TRUE(contains(msg, name)) << msg;
  }
}

TEST(LossParse, BadParameters) {
  for (const char* spec : {"mse:1", "nll:2", "huber:", "huber:abc", "huber:0", "huber:-1", "huber:nan", "huber:inf",
                           "huber:1x", "huber: 1", "smooth_l1:0", "smooth_l1:1:2"}) {
    SCOPED_TRACE(spec);
    std::string msg = invalid_argument_message([&] { parse_loss(spec); });
    ASSERT_FALSE(msg.empty());
    EXPECT_FALSE(contains(msg, "\n"));
    EXPECT_TRUE(contains(msg, "huber[:DELTA]") && contains(msg, "cross_entropy")) << msg;
  }
}

// ---- spelling -----------------------------------------------------------------------------------

TEST(LossParse, NamesInEnumOrderAndRoundTrip) {
  EXPECT_EQ(mlp::loss_names(), (std::vector<std::string>{"mse", "mae", "huber", "smooth_l1", "bce",
                                                         "bce_with_logits", "cross_entropy", "nll"}));
  for (std::size_t k = 0; k < mlp::loss_names().size(); ++k) {
    const std::string& name = mlp::loss_names()[k];
    Loss loss = parse_loss(name);
    EXPECT_EQ(static_cast<std::size_t>(loss.kind), k) << name;
    EXPECT_EQ(loss.name(), name);
    EXPECT_EQ(loss.delta, 1.0) << name;
    EXPECT_EQ(loss.class_targets(), name == "cross_entropy" || name == "nll") << name;
  }
}

TEST(LossParse, AliasesAndParameters) {
  EXPECT_EQ(parse_loss("l1").kind, LossKind::mae);
  EXPECT_EQ(parse_loss("ce").kind, LossKind::cross_entropy);
  EXPECT_EQ(parse_loss("crossentropy").kind, LossKind::cross_entropy);
  EXPECT_EQ(parse_loss("l1").name(), "mae");
  EXPECT_EQ(parse_loss("ce").name(), "cross_entropy");

  EXPECT_EQ(parse_loss("huber:0.5").delta, 0.5);
  EXPECT_EQ(parse_loss("huber:0.5").name(), "huber:0.5");
  EXPECT_EQ(parse_loss("huber:1").name(), "huber");  // the default is left out
  EXPECT_EQ(parse_loss("huber:1.0").name(), "huber");
  EXPECT_EQ(parse_loss("smooth_l1:2.5").name(), "smooth_l1:2.5");
  EXPECT_EQ(parse_loss("smooth_l1:1e-3").name(), "smooth_l1:0.001");
  EXPECT_EQ((Loss{LossKind::mse, 3.0}.name()), "mse");  // delta means nothing to mse

  // Any positive delta reads back exactly from its name.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    Loss loss{i % 2 ? LossKind::huber : LossKind::smooth_l1, std::exp(uniform(rng, -20, 20))};
    Loss back = parse_loss(loss.name());
    EXPECT_EQ(back.kind, loss.kind);
    EXPECT_EQ(back.delta, loss.delta) << loss.name();
  }
}

}  // namespace
