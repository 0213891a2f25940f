// Tests for the evaluation metrics: scikit-learn golden values (tests/fixtures/metrics_golden.txt,
// written by scripts/gen_metrics_golden.py) for float and double, hand-worked cases, tie and
// threshold conventions, and the errors for bad labels and empty input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/train/metrics.h"
#include "golden.h"

namespace {

using mlp::ClassificationMetrics;
using mlp::InvalidArgument;
using mlp::RegressionMetrics;

// |a - b| <= 1e-12 relative; two NaNs are equal (r2 of one row).
::testing::AssertionResult Close(double actual, double expected, double rel = 1e-12) {
  if (std::isnan(expected) && std::isnan(actual)) return ::testing::AssertionSuccess();
  const double scale = std::max(std::fabs(actual), std::fabs(expected));
  if (std::fabs(actual - expected) <= rel * scale) return ::testing::AssertionSuccess();
  std::ostringstream s;
  s.precision(17);
  s << actual << " != expected " << expected << " (rel " << rel << ")";
  return ::testing::AssertionFailure() << s.str();
}

// ---- golden file ------------------------------------------------------------------------------

struct GoldenCase {
  std::string label, kind;
  std::size_t rows = 0, cols = 0, top_k = 0;
  std::vector<double> a, b;  // regression: pred, target; classification: probs, labels
  std::map<std::string, double> values;
  std::vector<std::size_t> predicted, confusion;
};

// "case LABEL regression ROWS COLS" or "case LABEL classification ROWS COLS TOP_K", then
// "pred"/"target" or "probs"/"labels"/"predicted"/"confusion" lines and one "NAME VALUE" per metric.
std::vector<GoldenCase> load_golden() {
  std::vector<GoldenCase> cases;
  for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("metrics_golden.txt")) {
    const std::string& key = line.key;
    if (key == "case") {
      GoldenCase c;
      c.label = line.word(0);
      c.kind = line.word(1);
      c.rows = line.count(2);
      c.cols = line.count(3);
      if (c.kind == "classification") c.top_k = line.count(4);
      cases.push_back(c);
      continue;
    }
    if (cases.empty()) throw std::runtime_error(line.where + ": data before the first case");
    GoldenCase& c = cases.back();
    const std::vector<double> v = line.nums();
    if (key == "pred" || key == "probs") c.a = v;
    else if (key == "target" || key == "labels") c.b = v;
    else if (key == "predicted" || key == "confusion") {
      auto& dst = key == "predicted" ? c.predicted : c.confusion;
      for (double x : v) dst.push_back(static_cast<std::size_t>(x));
    } else if (v.size() == 1) c.values[key] = v[0];
    else throw std::runtime_error(line.where + ": bad line: " + line.text);
  }
  return cases;
}

const std::vector<GoldenCase>& golden() {
  static const std::vector<GoldenCase> cases = load_golden();
  return cases;
}

template <typename T>
std::vector<T> as(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

template <typename T>
class MetricsTyped : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MetricsTyped, Types);

TEST(MetricsGolden, FileHasEveryKindOfCase) {
  std::size_t regression = 0, classification = 0;
  for (const GoldenCase& c : golden()) (c.kind == "regression" ? regression : classification)++;
  EXPECT_GE(regression, 6u);
  EXPECT_GE(classification, 15u);
}

TYPED_TEST(MetricsTyped, RegressionMatchesSklearn) {
  using T = TypeParam;
  for (const GoldenCase& c : golden()) {
    if (c.kind != "regression") continue;
    SCOPED_TRACE(c.label);
    ASSERT_EQ(c.a.size(), c.rows * c.cols);
    ASSERT_EQ(c.b.size(), c.rows * c.cols);
    // The inputs are float32 values, so float and double see the same numbers.
    const std::vector<T> pred = as<T>(c.a), target = as<T>(c.b);
    const RegressionMetrics m = mlp::regression_metrics(pred.data(), target.data(), c.rows, c.cols);
    EXPECT_TRUE(Close(m.mse, c.values.at("mse")));
    EXPECT_TRUE(Close(m.rmse, c.values.at("rmse")));
    EXPECT_TRUE(Close(m.mae, c.values.at("mae")));
    EXPECT_TRUE(Close(m.r2, c.values.at("r2")));
  }
}

TYPED_TEST(MetricsTyped, ClassificationMatchesSklearn) {
  using T = TypeParam;
  for (const GoldenCase& c : golden()) {
    if (c.kind != "classification") continue;
    SCOPED_TRACE(c.label);
    ASSERT_EQ(c.a.size(), c.rows * c.cols);
    ASSERT_EQ(c.b.size(), c.rows);
    const std::vector<T> probs = as<T>(c.a), labels = as<T>(c.b);
    const ClassificationMetrics m = mlp::classification_metrics(probs.data(), labels.data(), c.rows, c.cols, c.top_k);
    EXPECT_EQ(m.classes, static_cast<std::size_t>(c.values.at("classes")));
    EXPECT_EQ(m.k, static_cast<std::size_t>(c.values.at("k")));
    EXPECT_TRUE(Close(m.accuracy, c.values.at("accuracy")));
    EXPECT_TRUE(Close(m.top_k_accuracy, c.values.at("top_k_accuracy")));
    // sklearn 1.2 clips at the input dtype's eps: float64's for double, float32's for float.
    EXPECT_TRUE(Close(m.log_loss, c.values.at(std::is_same_v<T, float> ? "log_loss_f32" : "log_loss")));
    EXPECT_TRUE(Close(m.precision, c.values.at("precision")));
    EXPECT_TRUE(Close(m.recall, c.values.at("recall")));
    EXPECT_TRUE(Close(m.f1, c.values.at("f1")));
    EXPECT_EQ(m.confusion, c.confusion);
    EXPECT_EQ(mlp::predicted_classes(probs.data(), c.rows, c.cols), c.predicted);
  }
}

// ---- hand-worked cases --------------------------------------------------------------------------

TYPED_TEST(MetricsTyped, RegressionByHand) {
  using T = TypeParam;
  const std::vector<T> pred = {1, 2, 3, 4, 5, 6};    // (3, 2)
  const std::vector<T> target = {1, 3, 2, 4, 6, 2};  // (3, 2)
  const RegressionMetrics m = mlp::regression_metrics(pred.data(), target.data(), 3, 2);
  // errors: column 0: 0, -1, 1; column 1: 1, 0, -4
  EXPECT_TRUE(Close(m.mse, 19.0 / 6));  // (0+1+1 + 1+0+16) / 6
  EXPECT_TRUE(Close(m.rmse, std::sqrt(19.0 / 6)));
  EXPECT_TRUE(Close(m.mae, 7.0 / 6));  // (0+1+1 + 1+0+4) / 6
  // column 0: target 1, 2, 6, mean 3, SS_tot 4+1+9 = 14, r2 = 1 - 2/14 = 6/7
  // column 1: target 3, 4, 2, mean 3, SS_tot 0+1+1 = 2,  r2 = 1 - 17/2 = -7.5
  EXPECT_TRUE(Close(m.r2, (6.0 / 7 - 7.5) / 2));  // = -93/28
}

TEST(Metrics, ConstantTargetColumnFollowsSklearnForceFinite) {
  // Column 0: target 0, 2 (mean 1, SS_tot 1+1 = 2), predicted 1, 1 (SS_res 2) -> r2 1 - 2/2 = 0.
  // Column 1 is constant 5: predicted exactly -> 1, otherwise -> 0 (never -inf or nan).
  const std::vector<double> target = {0, 5, 2, 5};
  const std::vector<double> exact = {1, 5, 1, 5};
  const std::vector<double> missed = {1, 5, 1, 5.5};
  EXPECT_TRUE(Close(mlp::regression_metrics(exact.data(), target.data(), 2, 2).r2, (0.0 + 1.0) / 2));
  EXPECT_EQ(mlp::regression_metrics(missed.data(), target.data(), 2, 2).r2, 0.0);  // (0 + 0) / 2
}

TEST(Metrics, RegressionOneRowHasNoR2) {
  const double pred[] = {1.0, 2.0}, target[] = {2.0, 2.0};
  const RegressionMetrics m = mlp::regression_metrics(pred, target, 1, 2);
  EXPECT_TRUE(std::isnan(m.r2));  // sklearn: "not well-defined with less than two samples"
  EXPECT_TRUE(Close(m.mse, 0.5));
}

TYPED_TEST(MetricsTyped, ClassificationByHand) {
  using T = TypeParam;
  const std::vector<T> probs = {
      T(0.7), T(0.2), T(0.1),  // label 0, predicted 0
      T(0.1), T(0.6), T(0.3),  // label 2, predicted 1
      T(0.2), T(0.3), T(0.5),  // label 2, predicted 2
      T(0.5), T(0.4), T(0.1),  // label 1, predicted 0
  };
  const std::vector<T> labels = {0, 2, 2, 1};
  ClassificationMetrics m = mlp::classification_metrics(probs.data(), labels.data(), 4, 3, 2);
  EXPECT_EQ(m.classes, 3u);
  EXPECT_EQ(m.k, 2u);
  EXPECT_TRUE(Close(m.accuracy, 0.5));        // rows 0 and 2
  EXPECT_TRUE(Close(m.top_k_accuracy, 1.0));  // each label is in its row's two highest
  // -(ln 0.7 + ln 0.3 + ln 0.5 + ln 0.4) / 4, rows renormalized (the float rows are off by ~1e-8)
  const double rel = std::is_same_v<T, float> ? 1e-6 : 1e-12;
  EXPECT_TRUE(Close(m.log_loss, -(std::log(0.7) + std::log(0.3) + std::log(0.5) + std::log(0.4)) / 4, rel));
  // confusion rows (true) 0: [1 0 0], 1: [1 0 0], 2: [0 1 1]
  EXPECT_EQ(m.confusion, (std::vector<std::size_t>{1, 0, 0, 1, 0, 0, 0, 1, 1}));
  // precision: class 0 1/2, class 1 0/1, class 2 1/1 -> 1.5/3
  EXPECT_TRUE(Close(m.precision, 0.5));
  // recall: class 0 1/1, class 1 0/1, class 2 1/2 -> 1.5/3
  EXPECT_TRUE(Close(m.recall, 0.5));
  // f1: class 0 2*0.5*1/1.5 = 2/3, class 1 0, class 2 2*1*0.5/1.5 = 2/3 -> (4/3)/3
  EXPECT_TRUE(Close(m.f1, 4.0 / 9));

  m = mlp::classification_metrics(probs.data(), labels.data(), 4, 3, 1);
  EXPECT_TRUE(Close(m.top_k_accuracy, 0.5));  // top-1 is the accuracy when no scores tie
}

TEST(Metrics, BinaryOneColumnByHand) {
  const double p[] = {0.9, 0.5, 0.2, 0.6};
  const double labels[] = {1, 0, 0, 0};
  const ClassificationMetrics m = mlp::classification_metrics(p, labels, 4, 1, 5);
  EXPECT_EQ(m.classes, 2u);
  EXPECT_EQ(m.k, 2u);  // 5 clipped to the two classes
  EXPECT_TRUE(Close(m.accuracy, 0.75));  // predicted 1, 0 (0.5 is not > 0.5), 0, 1
  EXPECT_TRUE(Close(m.top_k_accuracy, 1.0));
  // P(true class): 0.9, 1-0.5, 1-0.2, 1-0.6
  EXPECT_TRUE(Close(m.log_loss, -(std::log(0.9) + std::log(0.5) + std::log(0.8) + std::log(0.4)) / 4));
  EXPECT_EQ(m.confusion, (std::vector<std::size_t>{2, 1, 0, 1}));  // true 0: [2 1], true 1: [0 1]
}

TEST(Metrics, PredictedClassesFirstMaximumAndStrictThreshold) {
  const double probs[] = {0.3, 0.3, 0.4,  //
                          0.4, 0.4, 0.2,  //
                          0.1, 0.5, 0.4};
  EXPECT_EQ(mlp::predicted_classes(probs, 3, 3), (std::vector<std::size_t>{2, 0, 1}));
  const float p[] = {0.5f, 0.50001f, 0.49999f, 1.0f, 0.0f};
  EXPECT_EQ(mlp::predicted_classes(p, 5, 1), (std::vector<std::size_t>{0, 1, 0, 1, 0}));
}

TEST(Metrics, TopKTiesRankTheHigherIndexFirst) {
  // All four scores equal: sklearn's ranking is 3, 2, 1, 0.
  const double probs[] = {0.25, 0.25, 0.25, 0.25};
  for (std::size_t label = 0; label < 4; ++label) {
    const double y = static_cast<double>(label);
    for (std::size_t k = 1; k <= 4; ++k) {
      const ClassificationMetrics m = mlp::classification_metrics(probs, &y, 1, 4, k);
      EXPECT_EQ(m.top_k_accuracy, label + k >= 4 ? 1.0 : 0.0) << "label " << label << ", k " << k;
    }
  }
  // argmax still takes the first maximum, so top-1 and accuracy differ here.
  const double y3 = 3;
  const ClassificationMetrics m = mlp::classification_metrics(probs, &y3, 1, 4, 1);
  EXPECT_EQ(m.accuracy, 0.0);
  EXPECT_EQ(m.top_k_accuracy, 1.0);
}

TEST(Metrics, LogLossClipsExactZerosAndOnes) {
  const double probs[] = {0.0, 1.0};  // label 0 has probability exactly 0
  const double label = 0;
  const double eps = std::numeric_limits<double>::epsilon();
  const ClassificationMetrics m = mlp::classification_metrics(probs, &label, 1, 2);
  // clipped to (eps, 1-eps), which sums to 1: -ln(eps) = 52 ln 2
  EXPECT_TRUE(Close(m.log_loss, -std::log(eps)));
  const float fprobs[] = {0.0f, 1.0f};
  const float flabel = 0;
  EXPECT_TRUE(Close(mlp::classification_metrics(fprobs, &flabel, 1, 2).log_loss,
                    -std::log(double(std::numeric_limits<float>::epsilon()))));  // 23 ln 2
}

TEST(Metrics, MacroAveragesSkipClassesNeitherTrueNorPredicted) {
  // 4 classes; class 3 never occurs. Classes 0..2 each perfect -> 1, not 3/4.
  const double probs[] = {0.9, 0.05, 0.05, 0.0,  //
                          0.1, 0.8, 0.1, 0.0,    //
                          0.1, 0.1, 0.8, 0.0};
  const double labels[] = {0, 1, 2};
  const ClassificationMetrics m = mlp::classification_metrics(probs, labels, 3, 4);
  EXPECT_EQ(m.precision, 1.0);
  EXPECT_EQ(m.recall, 1.0);
  EXPECT_EQ(m.f1, 1.0);
  EXPECT_EQ(m.confusion.size(), 16u);
}

// ---- errors ---------------------------------------------------------------------------------------

template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no InvalidArgument)";
}

TYPED_TEST(MetricsTyped, BadLabelsThrowNamingRowAndValue) {
  using T = TypeParam;
  const std::vector<T> probs = {T(0.6), T(0.3), T(0.1), T(0.2), T(0.2), T(0.6)};
  auto message = [&](T bad) {
    const std::vector<T> labels = {0, bad};
    return error_of([&] { mlp::classification_metrics(probs.data(), labels.data(), 2, 3); });
  };
  EXPECT_NE(message(T(2.5)).find("row 1 is 2.5"), std::string::npos) << message(T(2.5));
  EXPECT_NE(message(T(3)).find("row 1 is 3,"), std::string::npos) << message(T(3));
  EXPECT_NE(message(T(-1)).find("row 1 is -1"), std::string::npos) << message(T(-1));
  EXPECT_NE(message(std::numeric_limits<T>::quiet_NaN()).find("row 1 is nan"), std::string::npos);
  EXPECT_NE(message(std::numeric_limits<T>::infinity()).find("row 1 is inf"), std::string::npos);
  EXPECT_NE(message(T(3)).find("[0, 3)"), std::string::npos) << message(T(3));
  // A single probability column has two classes: label 2 is out of range.
  const std::vector<T> p1 = {T(0.2), T(0.7)}, l1 = {1, 2};
  EXPECT_NE(error_of([&] { mlp::classification_metrics(p1.data(), l1.data(), 2, 1); }).find("row 1 is 2"),
            std::string::npos);
}

TEST(Metrics, EmptyAndInvalidInputThrow) {
  const double x[] = {0.5, 0.5};
  const double y[] = {0};
  EXPECT_THROW(mlp::classification_metrics(x, y, 0, 2), InvalidArgument);
  EXPECT_THROW(mlp::classification_metrics(x, y, 1, 0), InvalidArgument);
  EXPECT_THROW(mlp::classification_metrics(x, y, 1, 2, 0), InvalidArgument);
  EXPECT_THROW(mlp::regression_metrics(x, x, 0, 2), InvalidArgument);
  EXPECT_THROW(mlp::regression_metrics(x, x, 2, 0), InvalidArgument);
  EXPECT_THROW(mlp::predicted_classes(x, 1, 0), InvalidArgument);
  const double nan_probs[] = {0.5, std::nan("")};
  const std::string message = error_of([&] { mlp::classification_metrics(nan_probs, y, 1, 2); });
  EXPECT_NE(message.find("row 0, column 1 is nan"), std::string::npos) << message;
}

}  // namespace
