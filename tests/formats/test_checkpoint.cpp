// Checkpoints and resuming (mlp::Pipeline::resume): a fit stopped after any batch and resumed from
// its checkpoint ends with the same model, bit for bit, as a fit that never stopped; the
// checkpoint refuses other data and other options, reads as a model, and rejects damaged files.
#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "mlp/data/memory.h"
#include "mlp/core/error.h"
#include "mlp/formats/checkpoint.h"
#include "core/file.h"
#include "mlp/pipeline/pipeline.h"
#include "mlp/core/random.h"
#include "temp_files.h"

namespace {

using mlp::Pipeline;
using mlp::PipelineOptions;
using mlp::Precision;
using mlp::data::Array;
using mlp::data::DType;

// Three noisy classes in 4-D, 300 rows: 10 batches of 32 per epoch (the last one short).
struct Data {
  std::vector<float> x;
  std::vector<double> y;
  explicit Data(std::uint32_t seed = 5, std::size_t rows = 300) {
    mlp::Random rng(seed);
    for (std::size_t r = 0; r < rows; ++r) {
      const double c = static_cast<double>(r % 3);
      for (int k = 0; k < 4; ++k) x.push_back(static_cast<float>((k == static_cast<int>(c) ? 1.5 : 0) + rng.randn()));
      y.push_back(c);
    }
  }
  mlp::data::Frame frame() const { return mlp::data::array_frame(Array::view(DType::f32, y.size(), 4, x.data()), "points"); }
  mlp::data::Targets targets() const { return mlp::data::number_targets(y, 1, "labels"); }
};

struct Recipe {
  const char* name;
  Precision precision;
  const char* optimizer;
  double momentum;
};

void PrintTo(const Recipe& r, std::ostream* os) { *os << r.name; }

PipelineOptions options(const Recipe& r, const std::string& checkpoint) {
  PipelineOptions o;
  o.hidden = std::vector<std::size_t>{16, 8};
  o.optimizer = r.optimizer;
  o.momentum = r.momentum;
  o.lr = 0.05;
  o.precision = r.precision;
  o.epochs = 6;
  o.schedule = "cosine";
  o.dropout = 0.2;
  o.validation_split = 0.2;  // early stopping watches held-out rows, with its best weights kept
  o.early_stopping.patience = 3;
  o.early_stopping.min_delta = 0;
  o.checkpoint = checkpoint;
  return o;
}

// Every layer's weight and bias, in double (exact for either precision).
std::vector<double> tensors(const Pipeline& p) {
  std::vector<double> all;
  for (std::size_t l = 0; l < p.layers(); ++l) {
    const auto w = p.weight(l);
    all.insert(all.end(), w.data(), w.data() + w.size());
    const auto b = p.bias(l);
    all.insert(all.end(), b.begin(), b.end());
  }
  return all;
}

// Stops after `batches` batches.
std::function<bool()> stop_after(std::size_t batches) {
  auto count = std::make_shared<std::size_t>(0);
  return [count, batches] { return ++*count >= batches; };
}

class Resume : public ::testing::TestWithParam<Recipe> {};

TEST_P(Resume, AfterAnyBatchEndsWithTheSameModelAsAnUninterruptedFit) {
  const Data d;
  const std::string ck = mlp_test::temp_path("checkpoint.safetensors");
  const Pipeline whole = Pipeline::fit(d.frame(), d.targets(), options(GetParam(), ""));
  // In an epoch's middle, and after the last batch of the first and of the second epoch (before
  // their validation and schedule step).
  for (std::size_t stop : {13u, 8u, 16u}) {
    SCOPED_TRACE("stopped after batch " + std::to_string(stop));
    PipelineOptions o = options(GetParam(), ck);
    o.callbacks.stop_requested = stop_after(stop);
    const Pipeline part = Pipeline::fit(d.frame(), d.targets(), o);
    ASSERT_TRUE(part.fit_report().interrupted);
    EXPECT_EQ(part.fit_report().history.size(), (stop - 1) / 8);  // 240 training rows: 8 batches an epoch
    const Pipeline resumed = Pipeline::resume(ck, d.frame(), d.targets(), options(GetParam(), ck));
    EXPECT_FALSE(resumed.fit_report().interrupted);
    EXPECT_EQ(tensors(resumed), tensors(whole));
    ASSERT_EQ(resumed.fit_report().history.size(), whole.fit_report().history.size());
    for (std::size_t e = 0; e < whole.fit_report().history.size(); ++e) {
      EXPECT_EQ(resumed.fit_report().history[e].train_loss, whole.fit_report().history[e].train_loss);
      EXPECT_EQ(resumed.fit_report().history[e].val_loss, whole.fit_report().history[e].val_loss);
      EXPECT_EQ(resumed.fit_report().history[e].lr, whole.fit_report().history[e].lr);
    }
    EXPECT_EQ(resumed.fit_report().best_epoch, whole.fit_report().best_epoch);
  }
}

TEST(Resume, WithMoreEpochsGoesOnAsALongerFitWould) {
  // A constant learning rate and no early stopping: 3 epochs, then 3 more, are 6 epochs. With
  // batch normalization, whose running statistics the checkpoint keeps with the weights.
  const Data d;
  const std::string ck = mlp_test::temp_path("checkpoint.safetensors");
  PipelineOptions o = options(Recipe{"", Precision::f32, "adam", 0}, "");
  o.schedule = "none";
  o.early_stopping.patience = 0;
  o.batch_norm = true;
  const Pipeline whole = Pipeline::fit(d.frame(), d.targets(), o);
  o.checkpoint = ck;
  o.epochs = 3;
  const Pipeline first = Pipeline::fit(d.frame(), d.targets(), o);  // the last epoch writes one too
  EXPECT_FALSE(first.fit_report().interrupted);
  o.epochs = 6;
  const Pipeline more = Pipeline::resume(ck, d.frame(), d.targets(), o);
  EXPECT_EQ(more.fit_report().history.size(), 6u);
  EXPECT_EQ(tensors(more), tensors(whole));
  EXPECT_EQ(more.predict_proba(d.frame()).data()[7], whole.predict_proba(d.frame()).data()[7]);
}

TEST(Resume, RefusesOtherOptionsAndOtherData) {
  const Data d;
  const std::string ck = mlp_test::temp_path("checkpoint.safetensors");
  const Recipe adam{"", Precision::f32, "adam", 0};
  PipelineOptions o = options(adam, ck);
  o.epochs = 2;
  Pipeline::fit(d.frame(), d.targets(), o);
  auto message = [&](const mlp::data::Frame& x, const mlp::data::Targets& y, const PipelineOptions& options) -> std::string {
    try {
      Pipeline::resume(ck, x, y, options);
    } catch (const mlp::InvalidArgument& e) {
      return e.what();
    }
    return "accepted";
  };
  PipelineOptions wider = o;
  wider.hidden = std::vector<std::size_t>{32, 8};
  EXPECT_EQ(message(d.frame(), d.targets(), wider),
            "resume from " + ck + ": the checkpoint's training has hidden [16,8], these options give [32,8]; resume with "
            "the options it started with (only the epochs may change)");
  PipelineOptions slower = o;
  slower.lr = 0.01;
  EXPECT_NE(message(d.frame(), d.targets(), slower).find("has lr 0.05, these options give 0.01"), std::string::npos);
  const Data other(6);  // the same shape, other values
  EXPECT_NE(message(other.frame(), other.targets(), o)
                .find("the training data differs from the checkpoint's: the same 300 rows of 4 features, but other values"),
            std::string::npos);
  const Data fewer(5, 297);
  EXPECT_NE(message(fewer.frame(), fewer.targets(), o)
                .find("the training data differs from the checkpoint's: points gives 297 rows of 4 features, the "
                      "checkpoint was trained on 300 rows of 4 features of points"),
            std::string::npos);
  PipelineOptions cycle = o;
  cycle.schedule = "onecycle";
  Pipeline::fit(d.frame(), d.targets(), cycle);
  cycle.epochs = 4;
  EXPECT_NE(message(d.frame(), d.targets(), cycle).find("a one-cycle schedule ends with its 2 epochs"), std::string::npos);
}

TEST(Resume, ReadsOnlyCheckpoints) {
  const Data d;
  const std::string ck = mlp_test::temp_path("checkpoint.safetensors");
  const std::string model = mlp_test::temp_path("model.safetensors");
  PipelineOptions o = options(Recipe{"", Precision::f64, "sgd", 0.9}, ck);
  o.epochs = 2;
  const Pipeline p = Pipeline::fit(d.frame(), d.targets(), o);
  p.save(model);
  try {
    Pipeline::resume(model, d.frame(), d.targets(), o);
    ADD_FAILURE() << "a model file resumed";
  } catch (const mlp::Error& e) {
    EXPECT_EQ(std::string(e.what()), model + ": a model, not a checkpoint (train with --checkpoint to write one)");
  }
  // A checkpoint is a model file too: the weights of when it was written (here the last epoch's).
  const Pipeline read = Pipeline::load(ck);
  EXPECT_EQ(read.layers(), p.layers());
  EXPECT_EQ(read.precision(), Precision::f64);
  // Damaged: cut short anywhere, or its record changed, it is an error, never a crash.
  const std::string bytes = mlp_test::slurp(ck);
  for (std::size_t cut : {std::size_t{0}, std::size_t{8}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_THROW(mlp::io::checkpoint_from_bytes<double>(std::string_view(bytes).substr(0, cut), "cut"), mlp::Error);
  std::string changed = bytes;
  const std::size_t at = changed.find("\\\"dropout_rng\\\":\\\"");
  ASSERT_NE(at, std::string::npos);
  changed[at + 18] = 'x';  // the generator's first word: not a number
  EXPECT_THROW(mlp::io::checkpoint_from_bytes<double>(changed, "changed"), mlp::Error);
  EXPECT_NO_THROW(mlp::io::checkpoint_from_bytes<double>(bytes, "intact"));
}

INSTANTIATE_TEST_SUITE_P(Recipes, Resume,
                         ::testing::Values(Recipe{"f32_sgd_momentum", Precision::f32, "sgd", 0.9},
                                           Recipe{"f32_adam", Precision::f32, "adam", 0},
                                           Recipe{"f64_sgd_momentum", Precision::f64, "sgd", 0.9},
                                           Recipe{"f64_adam", Precision::f64, "adam", 0}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
