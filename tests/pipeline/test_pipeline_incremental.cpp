// What the Python module needs of mlp::Pipeline: models from bytes (pickling), more training on
// a fitted model (partial_fit) that changes nothing when it fails, classes given up front,
// stopping settings (min_delta, restore_best_weights, target standardization), the layers'
// weights, and training that reads an array frame where the caller keeps it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "mlp/data/memory.h"
#include "mlp/core/error.h"
#include "mlp/pipeline/pipeline.h"
#include "mlp/core/random.h"

namespace {

using mlp::Pipeline;
using mlp::PipelineOptions;
using mlp::data::Array;
using mlp::data::DType;

// Two gaussian blobs in 2-D: class 0 around (-1, -1), class 1 around (1, 1); labels 0/1.
struct Blobs {
  std::vector<float> x;
  std::vector<double> y;
  mlp::data::Frame frame() const { return mlp::data::array_frame(Array::view(DType::f32, y.size(), 2, x.data()), "blobs"); }
  mlp::data::Targets targets() const { return mlp::data::number_targets(y, 1, "labels"); }
};

Blobs blobs(std::size_t rows, std::uint32_t seed = 3) {
  mlp::Random rng(seed);
  Blobs b;
  for (std::size_t r = 0; r < rows; ++r) {
    const double c = static_cast<double>(r % 2);
    b.x.push_back(static_cast<float>(2 * c - 1 + 0.5 * rng.randn()));
    b.x.push_back(static_cast<float>(2 * c - 1 + 0.5 * rng.randn()));
    b.y.push_back(c);
  }
  return b;
}

PipelineOptions small(std::size_t epochs = 5) {
  PipelineOptions o;
  o.hidden = std::vector<std::size_t>{8};
  o.epochs = epochs;
  o.batch_size = 16;
  o.early_stopping.patience = 0;
  return o;
}

std::vector<double> probabilities(const Pipeline& p, const Blobs& b) { return p.predict(b.frame()).values; }

TEST(PipelineBytes, DeserializeGivesTheSameModel) {
  Blobs b = blobs(64);
  for (mlp::Precision precision : {mlp::Precision::f32, mlp::Precision::f64}) {
    PipelineOptions o = small();
    o.precision = precision;
    Pipeline p = Pipeline::fit(b.frame(), b.targets(), o);
    Pipeline q = Pipeline::deserialize(p.serialize());
    EXPECT_EQ(q.precision(), precision);
    EXPECT_EQ(q.classes(), p.classes());
    EXPECT_EQ(probabilities(q, b), probabilities(p, b));
    EXPECT_EQ(q.serialize(), p.serialize());
  }
}

TEST(PipelineBytes, BadBytesAreAnErrorNamingTheSource) {
  try {
    Pipeline::deserialize("not a model", "pickle");
    FAIL() << "garbage deserialized";
  } catch (const mlp::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("pickle: ", 0), 0u) << e.what();
  }
}

TEST(PipelineFitMore, ContinuesFromTheCurrentWeights) {
  Blobs b = blobs(128);
  PipelineOptions o = small(1);
  o.optimizer = "sgd";
  o.lr = 0.05;
  o.shuffle = false;
  Pipeline once = Pipeline::fit(b.frame(), b.targets(), o);
  // Two epochs in one fit and one epoch plus one more: the same weights, as SGD without
  // momentum has no state to lose between the calls.
  PipelineOptions two = o;
  two.epochs = 2;
  Pipeline twice = Pipeline::fit(b.frame(), b.targets(), two);
  once.fit_more(b.frame(), b.targets(), o);
  ASSERT_EQ(once.fit_report().history.size(), 1u);
  const mlp::Matrix<double> a = once.weight(0), c = twice.weight(0);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a.data()[i], c.data()[i], 1e-6) << i;
  EXPECT_NEAR(once.fit_report().history[0].train_loss, twice.fit_report().history[1].train_loss, 1e-6);
}

TEST(PipelineFitMore, KeepsTheClassesPreprocessingAndTargetScaling) {
  Blobs b = blobs(64);
  std::vector<double> y(b.y.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = 10 + 5 * b.y[i];
  PipelineOptions o = small();
  o.task = "regression";
  Pipeline p = Pipeline::fit(b.frame(), mlp::data::number_targets(y, 1, "y"), o);
  const auto offset = p.description().target_offset;
  const auto scaler = p.description().preprocessor.scaler.offset;
  std::vector<double> other(y.size(), 1000);  // other targets: the scaling learned first stays
  p.fit_more(b.frame(), mlp::data::number_targets(other, 1, "y"), o);
  EXPECT_EQ(p.description().target_offset, offset);
  EXPECT_EQ(p.description().preprocessor.scaler.offset, scaler);
}

TEST(PipelineFitMore, AFailureLeavesTheModelUnchanged) {
  Blobs b = blobs(64);
  Pipeline p = Pipeline::fit(b.frame(), b.targets(), small());
  const std::string before = p.serialize();
  // A label that is not a class, before any training.
  std::vector<double> y = b.y;
  y[5] = 7;
  try {
    p.fit_more(b.frame(), mlp::data::number_targets(y, 1, "labels"), small());
    FAIL() << "an unknown label was accepted";
  } catch (const mlp::data::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("labels: row 6: label '7' is not one of the model's classes"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(p.serialize(), before);
  // A callback that stops training by throwing, after some weight updates (Ctrl-C in Python).
  PipelineOptions o = small(3);
  int batches = 0;
  o.callbacks.on_batch_end = [&](const mlp::BatchStats&) {
    if (++batches == 3) throw std::runtime_error("interrupted");
  };
  EXPECT_THROW(p.fit_more(b.frame(), b.targets(), o), std::runtime_error);
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(p.serialize(), before);
}

TEST(PipelineClasses, GivenClassesKeepTheirOrderAndNeedNotAllAppear) {
  // Labels b and c only; the classes a, c, b in that order: three outputs, columns a, c, b.
  Blobs b = blobs(32);
  std::vector<std::string> labels;
  for (double v : b.y) labels.push_back(v ? "c" : "b");
  PipelineOptions o = small(30);
  o.classes = {"a", "c", "b"};
  o.optimizer = "sgd";
  o.lr = 0.1;
  Pipeline p = Pipeline::fit(b.frame(), mlp::data::text_targets(labels, "y"), o);
  EXPECT_EQ(p.classes(), (std::vector<std::string>{"a", "c", "b"}));
  mlp::Predictions pred = p.predict(b.frame());
  ASSERT_EQ(pred.cols, 3u);
  std::size_t right = 0;
  for (std::size_t r = 0; r < pred.rows; ++r) right += pred.classes[r] == (b.y[r] ? 1u : 2u);
  EXPECT_GT(right, pred.rows * 9 / 10);
  // Numbers name classes as format_label writes them.
  o.classes = {"0", "1", "2"};
  EXPECT_EQ(Pipeline::fit(b.frame(), b.targets(), o).classes(), o.classes);
}

TEST(PipelineClasses, BadClassListsAreRejected) {
  Blobs b = blobs(16);
  PipelineOptions o = small(1);
  o.classes = {"0", "1", "0"};
  EXPECT_THROW(Pipeline::fit(b.frame(), b.targets(), o), mlp::InvalidArgument);
  o.classes = {"0", "1"};
  o.task = "regression";
  EXPECT_THROW(Pipeline::fit(b.frame(), b.targets(), o), mlp::InvalidArgument);
  o.task = "";
  o.classes = {"0"};
  try {
    Pipeline::fit(b.frame(), b.targets(), o);
    FAIL() << "one class was accepted";
  } catch (const mlp::data::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("at least 2 classes, the labels have 1 class"), std::string::npos) << e.what();
  }
  o.classes = {"1", "2"};  // label 0 is not among them
  EXPECT_THROW(Pipeline::fit(b.frame(), b.targets(), o), mlp::data::DataError);
}

TEST(PipelineStopping, MinDeltaAndRestoringTheBestWeights) {
  // No epoch improves the loss by 1e9: early stopping with patience 1 ends after epoch 2, and
  // the model keeps epoch 1's weights, or epoch 2's without restore_best_weights.
  Blobs b = blobs(64);
  PipelineOptions o = small(10);
  o.early_stopping.patience = 1;
  o.early_stopping.monitor = "loss";
  o.early_stopping.min_delta = 1e9;
  Pipeline best = Pipeline::fit(b.frame(), b.targets(), o);
  EXPECT_EQ(best.fit_report().history.size(), 2u);
  EXPECT_TRUE(best.fit_report().stopped_early);
  EXPECT_EQ(best.fit_report().best_epoch, 1u);
  o.early_stopping.restore_best_weights = false;
  Pipeline last = Pipeline::fit(b.frame(), b.targets(), o);
  EXPECT_EQ(last.fit_report().best_epoch, 2u);
  const mlp::Matrix<double> a = last.weight(0), b0 = best.weight(0);
  EXPECT_FALSE(std::equal(a.data(), a.data() + a.size(), b0.data()));
  o.early_stopping.min_delta = 0;
  o.early_stopping.restore_best_weights = true;
  EXPECT_GT(Pipeline::fit(b.frame(), b.targets(), o).fit_report().history.size(), 2u);
}

TEST(PipelineStopping, TargetStandardizationIsItsOwnSetting) {
  Blobs b = blobs(32);
  std::vector<double> y(b.y.begin(), b.y.end());
  for (double& v : y) v = 3 * v + 0.5;
  PipelineOptions o = small(1);
  o.task = "regression";
  o.scale = mlp::ScaleKind::none;
  EXPECT_TRUE(Pipeline::fit(b.frame(), mlp::data::number_targets(y, 1), o).description().target_offset.empty());
  o.standardize_targets = true;
  EXPECT_EQ(Pipeline::fit(b.frame(), mlp::data::number_targets(y, 1), o).description().target_offset.size(), 1u);
  o.scale = mlp::ScaleKind::standard;
  o.standardize_targets = false;
  EXPECT_TRUE(Pipeline::fit(b.frame(), mlp::data::number_targets(y, 1), o).description().target_offset.empty());
}

TEST(PipelineWeights, LayersAsTorchLinearHasThem) {
  Blobs b = blobs(16);
  Pipeline p = Pipeline::fit(b.frame(), b.targets(), small(1));
  ASSERT_EQ(p.layers(), 2u);
  EXPECT_EQ(p.weight(0).rows(), 8u);  // (out, in)
  EXPECT_EQ(p.weight(0).cols(), 2u);
  EXPECT_EQ(p.weight(1).rows(), 1u);  // two classes: one logit
  EXPECT_EQ(p.bias(0).size(), 8u);
  EXPECT_THROW(p.weight(2), mlp::InvalidArgument);
  // The same numbers survive the model file (F32 in, double out).
  Pipeline q = Pipeline::deserialize(p.serialize());
  EXPECT_EQ(q.bias(1), p.bias(1));
}

// Training reads an array frame where the caller keeps it: the preprocessing's encoding (what
// fit trains from, scaled per batch) is the frame's own array, for a float32 model and for a
// float64 one (float32 rows converted per batch, not copied); a table is encoded into a copy.
TEST(PipelineFit, AnArrayFrameIsTrainedOnWhereTheCallerKeepsIt) {
  Blobs b = blobs(16);
  const mlp::data::Frame frame = b.frame();
  for (const mlp::Preprocessor& p : {mlp::Preprocessor::fit<float>(frame, mlp::ScaleKind::standard, mlp::MissingPolicy::impute),
                                     mlp::Preprocessor::fit<double>(frame, mlp::ScaleKind::standard, mlp::MissingPolicy::impute)}) {
    mlp::data::Array storage;
    mlp::PreprocessReport report;
    std::vector<std::size_t> kept;
    const mlp::data::Array& encoded = p.encode(frame, storage, report, kept);
    EXPECT_EQ(static_cast<const void*>(encoded.bytes()), static_cast<const void*>(b.x.data()));
  }
  std::vector<mlp::data::Column> columns(2);
  columns[0].name = "a", columns[0].numbers = {1, 2, 3};
  columns[1].name = "b", columns[1].numeric = false, columns[1].text = {"x", "y", "x"};
  const mlp::data::Frame table = mlp::data::table_frame(std::move(columns), "table");
  const mlp::Preprocessor p = mlp::Preprocessor::fit<float>(table, mlp::ScaleKind::standard, mlp::MissingPolicy::impute);
  mlp::data::Array storage;
  mlp::PreprocessReport report;
  std::vector<std::size_t> kept;
  EXPECT_EQ(&p.encode(table, storage, report, kept), &storage);
}

}  // namespace
