// mlp::Pipeline and mlp::Preprocessor on tables made here: one-hot encoding and unseen
// categories, imputation (mean, most frequent) and the missing-value policies, --ignore, the
// task and classes, probabilities, metrics, save/load.
#include <gtest/gtest.h>

#include <cmath>

#include "mlp/data/load.h"
#include "mlp/core/error.h"
#include "mlp/pipeline/pipeline.h"
#include "mlp/data/preprocessor.h"
#include "temp_files.h"

namespace {

using mlp::Pipeline;
using mlp::PipelineOptions;
using mlp::Preprocessor;
using mlp::data::Frame;

// A CSV written to a temporary file and loaded as training data (label: the last column).
mlp::data::Loaded load_csv(const std::string& name, const std::string& text, mlp::data::LoadOptions o = {}) {
  return mlp::data::load(mlp_test::write_temp(name, text), o);
}

// The encoded rows of a frame as a vector (rows x width, before scaling).
std::vector<double> encoded(const Preprocessor& p, const Frame& f, mlp::PreprocessReport& report) {
  mlp::data::Array storage;
  std::vector<std::size_t> kept;
  const mlp::data::Array& a = p.encode(f, storage, report, kept);
  return a.to_vector<double>();
}

TEST(Preprocessor, ImputesTheMeanAndTheMostFrequentCategoryAndOneHotEncodes) {
  // x: mean of 1, 3, 8 = 4 fills the NA. color: red (2) is the most frequent; categories sorted.
  auto d = load_csv("t.csv", "x,color,y\n1,red,0\nNA,blue,1\n3,red,0\n8,,1\n");
  Preprocessor p = Preprocessor::fit<double>(d.features, mlp::ScaleKind::none, mlp::MissingPolicy::impute);
  ASSERT_EQ(p.columns.size(), 2u);
  EXPECT_FALSE(p.columns[0].categorical());
  EXPECT_DOUBLE_EQ(p.columns[0].fill, 4.0);  // (1+3+8)/3
  EXPECT_EQ(p.columns[1].categories, (std::vector<std::string>{"blue", "red"}));
  EXPECT_EQ(p.columns[1].fill_category, "red");
  EXPECT_EQ(p.width(d.features), 3u);
  mlp::PreprocessReport report;
  // Rows: x, blue?, red?
  EXPECT_EQ(encoded(p, d.features, report), (std::vector<double>{1, 0, 1, 4, 1, 0, 3, 0, 1, 8, 0, 1}));
  EXPECT_EQ(report.imputed_cells(), 2u);
  ASSERT_EQ(report.imputed.size(), 2u);
  EXPECT_EQ(report.imputed[0], (std::pair<std::string, std::size_t>{"x", 1}));
  EXPECT_EQ(report.imputed[1], (std::pair<std::string, std::size_t>{"color", 1}));
  ASSERT_EQ(report.lines().size(), 1u);
  EXPECT_NE(report.lines()[0].find("x 1, color 1"), std::string::npos) << report.lines()[0];
}

TEST(Preprocessor, TiesOfTheMostFrequentCategoryGoToTheSmallest) {
  auto d = load_csv("t.csv", "c,y\nb,0\na,1\nb,0\na,1\n,0\n");
  Preprocessor p = Preprocessor::fit<double>(d.features, mlp::ScaleKind::none, mlp::MissingPolicy::impute);
  EXPECT_EQ(p.columns[0].fill_category, "a");  // as SimpleImputer(strategy='most_frequent')
}

TEST(Preprocessor, AnUnseenCategoryIsAllZerosAndCounted) {
  auto train = load_csv("train.csv", "c,y\nx,0\ny,1\n");
  Preprocessor p = Preprocessor::fit<double>(train.features, mlp::ScaleKind::standard, mlp::MissingPolicy::impute);
  // One-hot columns are not scaled.
  EXPECT_EQ(p.scaler.offset, (std::vector<double>{0, 0}));
  EXPECT_EQ(p.scaler.scale, (std::vector<double>{1, 1}));
  mlp::data::LoadOptions features_only;
  features_only.read_targets = false;
  auto test = load_csv("test.csv", "c\ny\nz\nz\n", features_only);
  mlp::PreprocessReport report;
  EXPECT_EQ(encoded(p, test.features, report), (std::vector<double>{0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(report.unseen_cells(), 2u);
  ASSERT_EQ(report.lines().size(), 1u);
  EXPECT_NE(report.lines()[0].find("not seen in training"), std::string::npos);
}

TEST(Preprocessor, ACategoricalColumnReadAsNumbersAtPredictTimeMatchesByName) {
  auto train = load_csv("train.csv", "size,y\n1,0\n2,1\nL,0\n");
  Preprocessor p = Preprocessor::fit<double>(train.features, mlp::ScaleKind::none, mlp::MissingPolicy::impute);
  ASSERT_EQ(p.columns[0].categories, (std::vector<std::string>{"1", "2", "L"}));
  mlp::data::LoadOptions features_only;
  features_only.read_targets = false;
  auto test = load_csv("test.csv", "size\n2\n1\n", features_only);  // a numeric column in this file
  mlp::PreprocessReport report;
  EXPECT_EQ(encoded(p, test.features, report), (std::vector<double>{0, 1, 0, 1, 0, 0}));
}

TEST(Preprocessor, DropRemovesRowsWithAMissingFeatureAndErrorNamesTheCell) {
  auto d = load_csv("t.csv", "a,b,y\n1,2,0\n,3,1\n4,?,0\n5,6,1\n");
  Preprocessor p = Preprocessor::fit<double>(d.features, mlp::ScaleKind::none, mlp::MissingPolicy::drop);
  mlp::data::Array storage;
  mlp::PreprocessReport report;
  std::vector<std::size_t> kept;
  const auto& a = p.encode(d.features, storage, report, kept, true);
  EXPECT_EQ(kept, (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(report.dropped_rows, 2u);
  EXPECT_EQ(a.to_vector<double>(), (std::vector<double>{1, 2, 5, 6}));
  try {
    Preprocessor::fit<double>(d.features, mlp::ScaleKind::none, mlp::MissingPolicy::error);
    FAIL() << "no throw";
  } catch (const mlp::data::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:3:1: missing value"), std::string::npos) << e.what();
  }
  EXPECT_EQ(mlp::parse_missing_policy("drop"), mlp::MissingPolicy::drop);
  EXPECT_THROW(mlp::parse_missing_policy("skip"), mlp::InvalidArgument);
}

TEST(DataLoad, IgnoredColumnsAreNoFeaturesAndAMissingLabelFails) {
  mlp::data::LoadOptions o;
  o.ignore = {"id"};
  auto d = load_csv("t.csv", "id,a,y\n7,1,0\n8,2,1\n", o);
  EXPECT_EQ(d.features.names(), (std::vector<std::string>{"a"}));
  o.ignore = {"y"};
  EXPECT_THROW(load_csv("t2.csv", "id,a,y\n7,1,0\n", o), mlp::InvalidArgument);
  try {
    load_csv("t3.csv", "a,y\n1,cat\n2, \n3,dog\n");
    FAIL() << "no throw";
  } catch (const mlp::data::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("t3.csv:3:2: missing value"), std::string::npos) << e.what();
  }
  // One column: the delimiter may be wrong.
  mlp::data::LoadOptions comma;
  comma.csv.delimiter = ',';
  try {
    load_csv("t4.csv", "a;y\n1;0\n", comma);
    FAIL() << "no throw";
  } catch (const mlp::data::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("delimiter"), std::string::npos) << e.what();
  }
}

TEST(Preprocessor, FeatureNamesMustBeDistinctAndMessagesStayOneLine) {
  // Found by fuzzing: an empty header name becomes "0", as another column is named; and a quoted
  // name with a line break went into messages as it was.
  auto d = load_csv("dup.csv", ",0,\"a\nb\",y\n1,2,3,0\n4,5,6,1\n");
  try {
    Preprocessor::fit<double>(d.features, mlp::ScaleKind::none, mlp::MissingPolicy::impute);
    FAIL() << "no throw";
  } catch (const mlp::data::DataError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("columns 0 and 1 are both named '0'"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  mlp::data::LoadOptions o;
  o.ignore = {"1"};
  auto ok = load_csv("dup2.csv", ",0,\"a\nb\",y\n1,2,NA,0\n4,5,6,1\n", o);
  Preprocessor p = Preprocessor::fit<double>(ok.features, mlp::ScaleKind::none, mlp::MissingPolicy::impute);
  mlp::PreprocessReport report;
  encoded(p, ok.features, report);
  ASSERT_EQ(report.lines().size(), 1u);
  EXPECT_NE(report.lines()[0].find("a\\nb 1"), std::string::npos) << report.lines()[0];
  // A model's column missing from new data: the list of its columns stays on one line.
  mlp::data::LoadOptions features_only;
  features_only.read_targets = false;
  auto other = load_csv("other.csv", "q\n1\n", features_only);
  try {
    encoded(p, other.features, report);
    FAIL() << "no throw";
  } catch (const mlp::data::DataError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
}

// A table two categories and a number separate: class "hi" when colour is red or x > 0.
std::string separable_table(std::size_t rows) {
  std::string csv = "x,colour,label\n";
  mlp::Random rng(3);
  for (std::size_t i = 0; i < rows; ++i) {
    const double x = rng.randn();
    const bool red = rng.rand() < 0.5;
    const bool missing = i % 17 == 5;
    csv += (missing ? std::string("NA") : std::to_string(x)) + "," + (red ? " red " : "blue") + "," +
           (red || (!missing && x > 0) ? "hi" : "lo") + "\n";
  }
  return csv;
}

TEST(Pipeline, FitsATableWithCategoriesAndMissingValuesAndRoundTripsThroughAFile) {
  auto d = load_csv("t.csv", separable_table(400));
  PipelineOptions o;
  o.epochs = 30;
  Pipeline p = Pipeline::fit(d.features, d.targets, o);
  EXPECT_TRUE(p.classification());
  EXPECT_EQ(p.classes(), (std::vector<std::string>{"hi", "lo"}));  // trimmed, sorted
  EXPECT_EQ(p.description().config.sizes, (std::vector<std::size_t>{3, 100, 1}));  // x + 2 one-hot; one logit
  auto report = p.evaluate(d.features, d.targets);
  ASSERT_TRUE(report.classification);
  EXPECT_GT(report.classification->accuracy, 0.95);
  EXPECT_EQ(report.preprocessing.imputed_cells(), 24u);  // rows 5, 22, ..., 396

  mlp::Predictions pred = p.predict(d.features);
  ASSERT_EQ(pred.cols, 2u);
  for (std::size_t r = 0; r < pred.rows; ++r) {
    EXPECT_NEAR(pred.values[2 * r] + pred.values[2 * r + 1], 1.0, 1e-6);
    EXPECT_EQ(pred.classes[r], pred.values[2 * r + 1] > pred.values[2 * r] ? 1u : 0u);
  }
  const std::string path = mlp_test::temp_path("model.safetensors");
  p.save(path);
  Pipeline q = Pipeline::load(path);
  EXPECT_EQ(q.description().preprocessor.columns.size(), 2u);
  EXPECT_EQ(q.description().preprocessor.columns[1].categories, (std::vector<std::string>{"blue", "red"}));
  mlp::Predictions again = q.predict(d.features);
  EXPECT_EQ(again.values, pred.values);
  EXPECT_EQ(q.predict_proba(d.features)(3, 1), pred.values[7]);
}

TEST(Pipeline, RegressionPredictsInTheTargetsUnitsAndReportsTypedMetrics) {
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 200; ++i) {
    const double a = (i % 20) / 10.0, b = (i % 7) / 3.0;
    csv += std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(1000 + 300 * a - 200 * b) + "\n";
  }
  auto d = load_csv("r.csv", csv);
  PipelineOptions o;
  o.epochs = 200;
  o.lr = 0.01;
  o.early_stopping.monitor = "val_r2";
  Pipeline p = Pipeline::fit(d.features, d.targets, o);
  EXPECT_FALSE(p.classification());
  EXPECT_EQ(p.description().target_offset.size(), 1u);
  auto r = p.evaluate(d.features, d.targets);
  ASSERT_TRUE(r.regression);
  EXPECT_FALSE(r.classification);
  EXPECT_GT(r.regression->r2, 0.98);
  EXPECT_LT(r.regression->mae, 25.0);  // in the targets' units (they span about 1000 to 1600)
  EXPECT_THROW(p.predict_proba(d.features), mlp::InvalidArgument);
  // The history's validation metrics are in the targets' units too, and the best epoch is the
  // one of the highest r2.
  const auto& h = p.fit_report().history;
  ASSERT_FALSE(h.empty());
  double best_r2 = -1e9;
  std::size_t best = 0;
  for (const auto& e : h)
    for (const auto& [name, value] : e.val_metrics)
      if (name == "r2" && value > best_r2 + 1e-4) best_r2 = value, best = e.epoch;
  EXPECT_EQ(p.fit_report().best_epoch, best);
}

TEST(Pipeline, MonitorNamesAreCheckedAgainstTheTask) {
  auto d = load_csv("t.csv", separable_table(50));
  PipelineOptions o;
  o.epochs = 1;
  o.early_stopping.monitor = "val_r2";
  EXPECT_THROW(Pipeline::fit(d.features, d.targets, o), mlp::InvalidArgument);  // classification
  o.early_stopping.monitor = "val_accuracy";  // classification holds out nothing by default
  EXPECT_THROW(Pipeline::fit(d.features, d.targets, o), mlp::InvalidArgument);
  o.validation_split = 0.2;
  EXPECT_NO_THROW(Pipeline::fit(d.features, d.targets, o));
}

TEST(Pipeline, OneClassIsNoClassification) {
  auto d = load_csv("t.csv", "a,k\n1,x\n2,x\n");
  EXPECT_THROW(Pipeline::fit(d.features, d.targets), mlp::data::DataError);
}

}  // namespace
