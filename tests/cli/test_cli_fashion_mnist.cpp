// Fashion-MNIST from Debian's dataset-fashion-mnist, as the issue states it: 784-256-128-10, relu,
// adam, lr 0.001, batch 128, 10 epochs, standard scaling must reach 0.88 test accuracy by
// `mlp eval`. Skipped (with a message) when the data set is not installed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "run_command.h"

namespace {

const std::string kData = "/usr/share/datasets/fashion-mnist/";

TEST(CliFashionMnist, TenEpochsReachTheTargetAccuracy) {
  struct stat st;
  if (::stat((kData + "train-images-idx3-ubyte.gz").c_str(), &st) != 0)
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)";
  std::string model = ::testing::TempDir() + "fashion_mnist_test.safetensors";
  auto t = mlp_test::run_command(std::string(MLP_BINARY) + " train " + kData + "train-images-idx3-ubyte.gz --labels " +
                                 kData + "train-labels-idx1-ubyte.gz --hidden 256,128 --activation relu --optimizer adam"
                                 " --lr 0.001 --batch-size 128 --epochs 10 --scale standard -q -o " + model);
  ASSERT_EQ(t.status, 0) << t.err;
  auto e = mlp_test::run_command(std::string(MLP_BINARY) + " eval " + model + " " + kData +
                                 "t10k-images-idx3-ubyte.gz --labels " + kData + "t10k-labels-idx1-ubyte.gz --json");
  ASSERT_EQ(e.status, 0) << e.err;
  auto j = nlohmann::json::parse(e.out);
  EXPECT_EQ(j.at("samples").get<int>(), 10000);
  double accuracy = j.at("accuracy").get<double>();
  RecordProperty("accuracy", std::to_string(accuracy));
  EXPECT_GE(accuracy, 0.88);
  std::remove(model.c_str());
}

}  // namespace
