// Data-parallel training's pieces that need no MPI (docs/distributed.md): agreeing on errors with
// one process, the deterministic micro-batch path (which one process runs too), and what
// data-parallel training refuses. tests/cli/test_distributed.cpp runs the real thing under mpirun.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "mlp/train/communicator.h"
#include "mlp/core/error.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "mlp/train/trainer.h"

namespace {

TEST(Communicator, CollectivelyRethrowsTheOwnExceptionAndKeepsTheFailure) {
  mlp::SingleProcess alone;
  EXPECT_FALSE(alone.agreed_failure());
  mlp::collectively(alone, [] {});
  EXPECT_FALSE(alone.agreed_failure());
  EXPECT_THROW(mlp::collectively(alone, [] { throw mlp::data::DataError("d.csv:3:1: bad"); }), mlp::data::DataError);
  ASSERT_TRUE(alone.agreed_failure());
  EXPECT_EQ(alone.agreed_failure()->code, mlp::ErrorCode::data);
  EXPECT_EQ(alone.agreed_failure()->message, "d.csv:3:1: bad");
}

// Another process's failure is thrown as the same class with the same message: the CLI's exit
// status depends on the class.
TEST(Communicator, FailuresKeepTheirClassAcrossProcesses) {
  auto round_trip = [](auto error) {
    mlp::Failure f = mlp::Failure::from(std::make_exception_ptr(error));
    EXPECT_EQ(f.message, error.what());
    try {
      f.raise();
    } catch (const decltype(error)& e) {
      EXPECT_STREQ(e.what(), error.what());
      return;
    } catch (...) {
    }
    ADD_FAILURE() << "raise threw another class for " << error.what();
  };
  round_trip(mlp::InvalidArgument("bad option"));
  round_trip(mlp::NumericError("training diverged"));
  round_trip(mlp::ShapeError("3 against 4"));
  round_trip(mlp::data::DataError("f.csv:2:2: oops"));
  round_trip(mlp::io::SafetensorsError("m.safetensors: header is not JSON"));
  round_trip(mlp::Error("other"));
  EXPECT_EQ(mlp::Failure::from(std::make_exception_ptr(std::runtime_error("x"))).code, std::nullopt);
}

// y = 2 x0 - x1 + noise-free, 29 rows: batches of 10 leave a last batch of 9.
void regression_data(mlp::Matrix<double>& x, mlp::Matrix<double>& y) {
  mlp::Random rng(5);
  x = mlp::Matrix<double>(29, 2);
  y = mlp::Matrix<double>(29, 1);
  for (std::size_t r = 0; r < 29; ++r) {
    x(r, 0) = rng.rand() * 2 - 1;
    x(r, 1) = rng.rand() * 2 - 1;
    y(r, 0) = 2 * x(r, 0) - x(r, 1);
  }
}

std::vector<double> train(bool deterministic, std::size_t micro_batches, bool shuffle) {
  mlp::ModelConfig config;
  config.sizes = {2, 8, 1};
  mlp::Model<double> model(config);
  mlp::Random rng(1);
  mlp::init_default(model, rng);
  mlp::Matrix<double> x, y;
  regression_data(x, y);
  mlp::TrainOptions options;
  options.epochs = 5;
  options.batch_size = 10;
  options.shuffle = shuffle;
  options.deterministic = deterministic;
  options.micro_batches = micro_batches;
  mlp::Trainer<double> trainer(model, mlp::Loss{mlp::LossKind::mse}, mlp::AdamOptions{.lr = 0.01}, options);
  trainer.fit(x, y);
  return {model.parameters().begin(), model.parameters().end()};
}

// One micro-batch is the whole batch: the same arithmetic as training alone, bit for bit.
TEST(DataParallel, OneMicroBatchIsPlainTrainingBitForBit) {
  std::vector<double> plain = train(false, 0, true), one = train(true, 1, true);
  ASSERT_EQ(plain.size(), one.size());
  for (std::size_t i = 0; i < plain.size(); ++i) EXPECT_EQ(plain[i], one[i]) << i;
}

// Micro-batches of 3, 2, 3, 2 rows (and 2, 2, 3, 2 in the last batch of 9) weighted by rows: the
// gradient of the batch's mean, up to rounding. With weights unweighted the parameters move
// visibly apart.
TEST(DataParallel, MicroBatchesWeightedByRowsGiveTheBatchGradient) {
  std::vector<double> plain = train(false, 0, false), micro = train(true, 4, false);
  ASSERT_EQ(plain.size(), micro.size());
  for (std::size_t i = 0; i < plain.size(); ++i)
    EXPECT_NEAR(micro[i], plain[i], 1e-12 * std::max(1.0, std::abs(plain[i]))) << i;
}

TEST(DataParallel, RefusesBatchNormAndBadMicroBatchCounts) {
  mlp::Matrix<double> x, y;
  regression_data(x, y);
  mlp::ModelConfig config;
  config.sizes = {2, 8, 1};
  config.batch_norm = true;
  mlp::Model<double> bn(config);
  mlp::TrainOptions options;
  options.deterministic = true;
  mlp::Trainer<double> with_bn(bn, mlp::Loss{}, mlp::SGDOptions{}, options);
  EXPECT_THROW(with_bn.fit(x, y), mlp::InvalidArgument);
  config.batch_norm = false;
  mlp::Model<double> plain(config);
  options.micro_batches = 0;
  mlp::Trainer<double> none(plain, mlp::Loss{}, mlp::SGDOptions{}, options);
  EXPECT_THROW(none.fit(x, y), mlp::InvalidArgument);
}

}  // namespace
