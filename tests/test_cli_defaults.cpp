// `mlp train` with nothing but the data: at least as good as scikit-learn's MLPClassifier /
// MLPRegressor defaults (with standard scaling), and not far behind a linear regression on small
// noisy data (tests/data/defaults, from scripts/gen_defaults_baseline.py).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_command.h"

#ifndef MLP_TEST_DATA
#define MLP_TEST_DATA "tests/data"
#endif

namespace {

struct Baseline {
  std::string name, task, metric;
  double mlp = 0, linear = 0;
};

std::vector<Baseline> baselines() {
  std::ifstream in(MLP_TEST_DATA "/defaults/baseline.txt");
  std::vector<Baseline> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    Baseline b;
    std::string linear;
    s >> b.name >> b.task >> b.metric >> b.mlp >> linear;
    b.linear = linear == "nan" ? NAN : std::stod(linear);
    out.push_back(b);
  }
  return out;
}

TEST(CliDefaults, MatchScikitLearnAndLinearRegression) {
  auto all = baselines();
  ASSERT_EQ(all.size(), 4u);
  const std::string dir = MLP_TEST_DATA "/defaults/";
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
