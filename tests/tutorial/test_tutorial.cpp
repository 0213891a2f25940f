// The tutorial reproduced: examples/tutorial and `mlp demo` print what the numpy script
// prints (tests/fixtures/tutorial.expected.txt, copied from ../shared/reference); and the tutorial's
// functions (mlp::tutorial, mlp/tutorial/tutorial.h) on one step worked by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <regex>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/tutorial/tutorial.h"
#include "run_command.h"

#ifndef MLP_TEST_DATA
#define MLP_TEST_DATA "tests/fixtures"
#endif

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  std::string line;
  while (std::getline(s, line)) lines.push_back(line);
  return lines;
}

// Every number in a line, in order.
std::vector<double> numbers_in(const std::string& line) {
  static const std::regex number(R"([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)");
  std::vector<double> out;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), number); it != std::sregex_iterator(); ++it)
    out.push_back(std::stod(it->str()));
  return out;
}

const std::string expected_text = mlp_test::read_text(MLP_TEST_DATA "/tutorial.expected.txt");

// The tutorial's six results, line for line: same labels, same shape, numbers within 1e-8 relative.
// (numpy's products go through BLAS, whose fused multiply-adds move the last bits.)
void expect_tutorial_results(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  ASSERT_GE(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].substr(0, got[i].find(':')), want[i].substr(0, want[i].find(':')));
    auto g = numbers_in(got[i]), w = numbers_in(want[i]);
    ASSERT_EQ(g.size(), w.size()) << got[i];
    for (std::size_t k = 0; k < w.size(); ++k) EXPECT_NEAR(g[k], w[k], 1e-8 * std::fabs(w[k])) << got[i];
    EXPECT_EQ(got[i].find('['), want[i].find('[')) << got[i];  // numpy's brackets
  }
}

// One SGD step of a 2-2-1 relu network through mlp::tutorial's functions, the arithmetic in comments.
TEST(Tutorial, FunctionsComputeOneStepAsTheTutorialsNumpy) {
  namespace tut = mlp::tutorial;
  using M = mlp::Matrix<double>;
  M x{{1, 2}}, w1{{0.5, -1}, {1, 1}}, b1{{0.5, 0}}, w2{{2, 1}}, b2{{1}}, y{{1}};
  M z = tut::forward(x, w1, b1);  // [1*0.5 + 2*-1 + 0.5, 1*1 + 2*1 + 0] = [-1, 3]
  EXPECT_EQ(z, (M{{-1, 3}}));
  M hidden = tut::relu(z);  // [0, 3]
  EXPECT_EQ(hidden, (M{{0, 3}}));
  M p = tut::forward(hidden, w2, b2);  // 0*2 + 3*1 + 1 = 4
  EXPECT_EQ(p, (M{{4}}));
  EXPECT_EQ(tut::mse_loss(p, y), 9.0);  // (4 - 1)^2
  M d = tut::gradient(p, y);            // 2 * (4 - 1) / 1 = 6
  EXPECT_EQ(d, (M{{6}}));
  M back = tut::gradient_backward(d, w2);  // 6 * [2, 1] = [12, 6]
  EXPECT_EQ(back, (M{{12, 6}}));
  EXPECT_EQ(tut::relu_backward(hidden, back), (M{{0, 6}}));  // relu' = [0, 1]
  tut::backward(hidden, d, w2, b2, 0.1);                      // w2 -= 6 * [0, 3] * 0.1, b2 -= 6 * 0.1
  EXPECT_DOUBLE_EQ(w2(0, 0), 2.0);
  EXPECT_DOUBLE_EQ(w2(0, 1), 1 - 1.8);
  EXPECT_DOUBLE_EQ(b2(0, 0), 1 - 0.6);
  EXPECT_THROW(tut::forward(x, M{{1, 2, 3}}, b2), mlp::ShapeError);  // x (1, 2) · (1, 3)ᵀ
  EXPECT_THROW(tut::gradient(p, M{{1, 2}}), mlp::ShapeError);        // p (1, 1), y (1, 2)
}

TEST(Tutorial, ExampleProgramPrintsWhatNumpyPrints) {
  auto r = mlp_test::run_command(MLP_TUTORIAL_EXAMPLE);
  ASSERT_EQ(r.status, 0) << r.err;
  auto got = lines_of(r.out), want = lines_of(expected_text);
  EXPECT_EQ(got.size(), want.size());
  expect_tutorial_results(got, want);
}

TEST(Tutorial, DemoMatchesTheReferenceToEightSignificantDigits) {
  auto r = mlp_test::run_command(std::string(MLP_BINARY) + " demo");
  ASSERT_EQ(r.status, 0) << r.err;
  auto got = lines_of(r.out), want = lines_of(expected_text);
  ASSERT_EQ(got.size(), want.size() + 1) << r.out;
  expect_tutorial_results(got, want);
  // The timing line: "trained 1000 epochs in N µs" (or ms, s).
  EXPECT_TRUE(std::regex_match(got.back(), std::regex(R"(trained 1000 epochs in [0-9.]+ (µs|ms|s))")))
      << got.back();
}

// The relu demo trains through FixedMlp, whose arithmetic is written out whatever the compiler
// flags: every line it prints equals the reference's, character for character.
TEST(Tutorial, DemoPrintsExactlyWhatTheReferencePrints) {
  auto r = mlp_test::run_command(std::string(MLP_BINARY) + " demo");
  ASSERT_EQ(r.status, 0) << r.err;
  auto got = lines_of(r.out), want = lines_of(expected_text);
  ASSERT_EQ(got.size(), want.size() + 1) << r.out;
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]);
}

TEST(Tutorial, DemoWithAnotherActivationTrainsAnotherNetwork) {
  auto relu = mlp_test::run_command(std::string(MLP_BINARY) + " demo");
  auto tanh = mlp_test::run_command(std::string(MLP_BINARY) + " demo --activation tanh");
  ASSERT_EQ(tanh.status, 0) << tanh.err;
  EXPECT_NE(lines_of(tanh.out)[0], lines_of(relu.out)[0]);
  EXPECT_EQ(lines_of(tanh.out).size(), lines_of(relu.out).size());
}

TEST(Tutorial, DemoCompareShowsTheChaptersLesson) {
  auto r = mlp_test::run_command(std::string(MLP_BINARY) + " demo --compare");
  ASSERT_EQ(r.status, 0) << r.err;
  double none = NAN, relu = NAN;
  int rows = 0;
  for (const auto& line : lines_of(r.out)) {
    std::stringstream s(line);
    std::string name;
    double train, val;
    if (!(s >> name >> train >> val)) continue;
    ++rows;
    if (name == "none") none = val;
    if (name == "relu") relu = val;
  }
  EXPECT_GE(rows, 19);  // none and every elementwise activation
  EXPECT_NEAR(relu, 0.01857474128461772, 1e-6);
  // Without an activation the network stays linear and does far worse.
  EXPECT_GT(none, 10 * relu);
}

TEST(Tutorial, DemoRejectsAnUnknownActivationInOneLine) {
  auto r = mlp_test::run_command(std::string(MLP_BINARY) + " demo --activation nope");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(mlp_test::count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("relu"), std::string::npos) << r.err;  // the valid names are listed
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
