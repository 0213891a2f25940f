// `mlp train` with nothing but the data: at least as good as scikit-learn's MLPClassifier /
// MLPRegressor defaults (with standard scaling), and not far behind a linear regression on small
// noisy data (tests/fixtures/defaults, from scripts/gen_defaults_baseline.py).
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "golden.h"
#include "run_command.h"

namespace {

struct Baseline {
  std::string name, task, metric;
  double mlp = 0, linear = 0;
};

// "NAME TASK METRIC MLP_SCORE LINEAR_SCORE" (nan: no linear baseline).
std::vector<Baseline> baselines() {
  std::vector<Baseline> out;
  for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("defaults/baseline.txt"))
    out.push_back({line.key, line.word(0), line.word(1), line.num(2), line.num(3)});
  return out;
}

TEST(CliDefaults, MatchScikitLearnAndLinearRegression) {
  auto all = baselines();
  ASSERT_EQ(all.size(), 4u);
  const std::string dir = mlp_test::golden_path("defaults/");
  for (const auto& b : all) {
    SCOPED_TRACE(b.name);
    std::string model = ::testing::TempDir() + "defaults_" + b.name + ".safetensors";
    auto t = mlp_test::run_command(std::string(MLP_BINARY) + " train " + dir + b.name + "_train.csv -q -o " + model);
    ASSERT_EQ(t.status, 0) << t.err;
    auto e = mlp_test::run_command(std::string(MLP_BINARY) + " eval " + model + " " + dir + b.name + "_test.csv --json");
    ASSERT_EQ(e.status, 0) << e.err;
    auto j = nlohmann::json::parse(e.out);
    double score = j.at(b.metric).get<double>();
    RecordProperty(b.name, std::to_string(score));
    EXPECT_GE(score, b.mlp - 1e-9) << b.metric << " against scikit-learn's MLP " << b.mlp;
    if (b.task == "regression") {
      EXPECT_GE(score, b.linear - 0.05) << "r2 against linear regression " << b.linear;
    }
    std::remove(model.c_str());
  }
}

}  // namespace
