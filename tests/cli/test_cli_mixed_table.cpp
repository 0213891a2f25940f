// `mlp train` with nothing but the data on a mixed table (numeric and text columns with missing
// cells, a text label): within 0.01 of scikit-learn's ColumnTransformer(SimpleImputer + scaler,
// SimpleImputer + OneHotEncoder) + MLPClassifier on the same split (tests/fixtures/mixed, from
// scripts/gen_mixed_table.py; the figure is the mean test accuracy over random_state 0..4).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_fixtures.h"
#include "golden.h"

namespace {

using mlp_test::mlp;
using mlp_test::q;

const std::string kTrain = mlp_test::golden_path("mixed/train.csv");
const std::string kTest = mlp_test::golden_path("mixed/test.csv");

nlohmann::json reference() {
  return nlohmann::json::parse(mlp_test::golden_text("mixed/sklearn_reference.json"), nullptr, false);
}

TEST(CliMixedTable, DefaultsWithinAPointOfScikitLearn) {
  auto ref = reference();
  ASSERT_TRUE(ref.is_object()) << "tests/fixtures/mixed/sklearn_reference.json is missing or not JSON";
  const double sklearn = ref.at("accuracy").get<double>();

  mlp_test::ScratchDir dir;
  auto t = mlp("train " + q(kTrain) + " -o " + q(dir / "model.safetensors") + " -q");
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_TRUE(t.err.empty()) << "-q printed: " << t.err;
  auto e = mlp("eval " + q(dir / "model.safetensors") + " " + q(kTest) + " --json");
  ASSERT_EQ(e.status, 0) << e.err;
  auto j = nlohmann::json::parse(e.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << e.out;
  EXPECT_EQ(j.at("samples").get<int>(), ref.at("rows_test").get<int>());
  EXPECT_EQ(j.at("classes"), nlohmann::json({"churn", "stay"}));

  const double ours = j.at("accuracy").get<double>();
  RecordProperty("mlp_accuracy", std::to_string(ours));
  RecordProperty("sklearn_accuracy", std::to_string(sklearn));
  EXPECT_GE(ours, sklearn - 0.01) << "mlp defaults " << ours << " against scikit-learn's " << sklearn;
}

// Without -q, training says how many cells it imputed; the saved model knows its text columns.
TEST(CliMixedTable, ReportsImputationAndCategoricalColumns) {
  mlp_test::ScratchDir dir;
  auto t = mlp("train " + q(kTrain) + " -o " + q(dir / "model.safetensors") + " --epochs 2");
  ASSERT_EQ(t.status, 0) << t.err;
  auto line_with = [&](const std::string& needle) {
    auto at = t.err.find(needle);
    if (at == std::string::npos) return std::string();
    auto start = t.err.rfind('\n', at);
    start = start == std::string::npos ? 0 : start + 1;
    return t.err.substr(start, t.err.find('\n', at) - start);
  };
  std::string imputed = line_with("imputed");
  ASSERT_FALSE(imputed.empty()) << "no 'imputed' line in:\n" << t.err;
  for (const char* column : {"age", "income", "tenure_months", "monthly_charge", "city", "plan", "color"})
    EXPECT_NE(imputed.find(column), std::string::npos) << column << " not in: " << imputed;
  EXPECT_EQ(imputed.find("label", imputed.find("imputed")), std::string::npos) << "the label has no missing cells: " << imputed;

  auto info = mlp("info " + q(dir / "model.safetensors"));
  ASSERT_EQ(info.status, 0) << info.err;
  EXPECT_NE(info.out.find("categorical"), std::string::npos) << info.out;
  // 4 numeric columns + one-hot city (6), plan (3), color (3).
  EXPECT_NE(info.out.find("16 from 7 columns"), std::string::npos) << info.out;
}

}  // namespace
