// Microbenchmarks (Google Benchmark) of the kernels a training step is made of, at the
// Fashion-MNIST MLP's shapes (batch 128, 784-256-128-10, float32), plus the tutorial network's
// single-row prediction and training step. Run: build/bench/bench_kernels [--threads=N] [gbench flags]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "mlp/nn/activation.h"
#include "mlp/nn/dense.h"
#include "mlp/nn/fixed_mlp.h"
#include "mlp/nn/init.h"
#include "mlp/nn/loss.h"
#include "mlp/nn/model.h"
#include "mlp/train/optimizer.h"
#include "mlp/nn/predictor.h"
#include "mlp/core/random.h"
#include "mlp/core/threads.h"
#include "mlp/train/trainer.h"

namespace {

constexpr std::size_t kBatch = 128;

template <typename T>
std::vector<T> random_values(std::size_t n, std::uint32_t seed, double scale = 1.0) {
  mlp::Random rng(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>((2 * rng.rand() - 1) * scale);
  return v;
}

// ---- dense layer --------------------------------------------------------------------------------

// out (128, OC) = inp (128, C) · Wᵀ + b. Args: C, OC.
void BM_DenseForward(benchmark::State& state) {
  const auto C = static_cast<std::size_t>(state.range(0)), OC = static_cast<std::size_t>(state.range(1));
  auto inp = random_values<float>(kBatch * C, 1), w = random_values<float>(OC * C, 2), b = random_values<float>(OC, 3);
  std::vector<float> out(kBatch * OC);
  for (auto _ : state) {
    mlp::dense_forward(out.data(), inp.data(), w.data(), b.data(), kBatch, C, OC);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * kBatch * C * OC, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}
BENCHMARK(BM_DenseForward)->Args({784, 256})->Args({256, 128})->Args({128, 10})->UseRealTime();

// dW += doutᵀ · inp, db += sum(dout), and (third arg 1) dinp = dout · W. Args: C, OC, with_dinp.
void BM_DenseBackward(benchmark::State& state) {
  const auto C = static_cast<std::size_t>(state.range(0)), OC = static_cast<std::size_t>(state.range(1));
  const bool with_dinp = state.range(2) != 0;
  auto inp = random_values<float>(kBatch * C, 1), w = random_values<float>(OC * C, 2);
  auto dout = random_values<float>(kBatch * OC, 3);
  std::vector<float> dw(OC * C), db(OC), dinp(kBatch * C);
  for (auto _ : state) {
    mlp::dense_backward(with_dinp ? dinp.data() : nullptr, dw.data(), db.data(), dout.data(), inp.data(), w.data(),
                        kBatch, C, OC);
    benchmark::DoNotOptimize(dw.data());
    benchmark::DoNotOptimize(dinp.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * kBatch * C * OC * (with_dinp ? 2 : 1),
                                                benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}
BENCHMARK(BM_DenseBackward)->Args({784, 256, 0})->Args({256, 128, 1})->Args({128, 10, 1})->UseRealTime();

// ---- activations over (128, 256) ----------------------------------------------------------------

const mlp::ActivationKind kActivations[] = {mlp::ActivationKind::relu, mlp::ActivationKind::gelu,
                                            mlp::ActivationKind::tanh, mlp::ActivationKind::sigmoid,
                                            mlp::ActivationKind::softmax};

void BM_ActivationForward(benchmark::State& state) {
  const mlp::Activation a(kActivations[state.range(0)]);
  state.SetLabel(a.name());
  const std::size_t n = kBatch * 256;
  auto in = random_values<float>(n, 1, 4.0);
  std::vector<float> out(n);
  for (auto _ : state) {
    mlp::activation_forward(a, out.data(), in.data(), kBatch, 256);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_ActivationForward)->DenseRange(0, 4)->UseRealTime();

void BM_ActivationBackward(benchmark::State& state) {
  const mlp::Activation a(kActivations[state.range(0)]);
  state.SetLabel(a.name());
  const std::size_t n = kBatch * 256;
  auto in = random_values<float>(n, 1, 4.0), dout = random_values<float>(n, 2);
  std::vector<float> out(n), din(n);
  mlp::activation_forward(a, out.data(), in.data(), kBatch, 256);
  for (auto _ : state) {
    mlp::activation_backward(a, din.data(), dout.data(), in.data(), out.data(), kBatch, 256);
    benchmark::DoNotOptimize(din.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_ActivationBackward)->DenseRange(0, 4)->UseRealTime();

// ---- losses over (128, 10) ----------------------------------------------------------------------

void loss_bench(benchmark::State& state, mlp::LossKind kind) {
  const mlp::Loss loss{kind};
  const std::size_t cols = 10;
  auto p = random_values<float>(kBatch * cols, 1, 3.0);
  std::vector<float> y;
  if (loss.class_targets()) {
    for (std::size_t r = 0; r < kBatch; ++r) y.push_back(static_cast<float>(r % cols));
  } else {
    y = random_values<float>(kBatch * cols, 2);
  }
  std::vector<float> dp(kBatch * cols);
  for (auto _ : state) {
    benchmark::DoNotOptimize(mlp::loss_forward(loss, p.data(), y.data(), kBatch, cols));
    mlp::loss_backward(loss, dp.data(), p.data(), y.data(), kBatch, cols);
    benchmark::DoNotOptimize(dp.data());
  }
}
void BM_LossCrossEntropy(benchmark::State& state) { loss_bench(state, mlp::LossKind::cross_entropy); }
void BM_LossMse(benchmark::State& state) { loss_bench(state, mlp::LossKind::mse); }
BENCHMARK(BM_LossCrossEntropy)->UseRealTime();
BENCHMARK(BM_LossMse)->UseRealTime();

// ---- optimizer steps over the Fashion-MNIST model's 235,146 parameters ---------------------------

constexpr std::size_t kParams = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
constexpr double kMacs = 784 * 256 + 256 * 128 + 128 * 10;  // multiply-adds per row, forward

void optimizer_bench(benchmark::State& state, const mlp::OptimizerOptions& options) {
  auto params = random_values<float>(kParams, 1), grads = random_values<float>(kParams, 2, 1e-3);
  auto opt = mlp::make_optimizer<float>(options);
  for (auto _ : state) {
    opt->step(params.data(), grads.data(), kParams);
    benchmark::DoNotOptimize(params.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kParams));
}
void BM_OptimizerSgd(benchmark::State& state) { optimizer_bench(state, mlp::SGDOptions{.lr = 0.01}); }
void BM_OptimizerSgdMomentum(benchmark::State& state) {
  optimizer_bench(state, mlp::SGDOptions{.lr = 0.01, .momentum = 0.9});
}
void BM_OptimizerAdam(benchmark::State& state) { optimizer_bench(state, mlp::AdamOptions{.lr = 1e-3}); }
BENCHMARK(BM_OptimizerSgd)->UseRealTime();
BENCHMARK(BM_OptimizerSgdMomentum)->UseRealTime();
BENCHMARK(BM_OptimizerAdam)->UseRealTime();

// ---- whole steps --------------------------------------------------------------------------------

// Model<float>::forward then backward (zero_grad first) of the Fashion-MNIST MLP, batch 128: the
// dense layers with their fused bias, relu and gradient passes, without loss and optimizer.
void BM_FashionForwardBackward(benchmark::State& state) {
  mlp::ModelConfig config;
  config.sizes = {784, 256, 128, 10};
  mlp::Model<float> model(config);
  mlp::Random rng(0);
  mlp::init_default(model, rng);
  auto x = random_values<float>(kBatch * 784, 1), dout = random_values<float>(kBatch * 10, 2, 0.01);
  for (auto _ : state) {
    model.zero_grad();
    model.forward(x.data(), kBatch);
    model.backward(dout.data());
    benchmark::DoNotOptimize(model.gradients().data());
  }
}
BENCHMARK(BM_FashionForwardBackward)->UseRealTime();

// One Trainer<float>::train_step of the Fashion-MNIST MLP on a batch of 128 random rows.
void BM_FashionTrainStep(benchmark::State& state) {
  mlp::ModelConfig config;
  config.sizes = {784, 256, 128, 10};
  mlp::Model<float> model(config);
  mlp::Random rng(0);
  mlp::init_default(model, rng);
  mlp::Trainer<float> trainer(model, mlp::Loss{mlp::LossKind::cross_entropy}, mlp::AdamOptions{.lr = 1e-3});
  auto x = random_values<float>(kBatch * 784, 1);
  std::vector<float> y(kBatch);
  for (std::size_t r = 0; r < kBatch; ++r) y[r] = static_cast<float>(r % 10);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.train_step(x.data(), y.data(), kBatch));
  state.counters["GFLOPS"] = benchmark::Counter(6.0 * kMacs * kBatch,
                                                benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}
BENCHMARK(BM_FashionTrainStep)->UseRealTime();

// The Fashion-MNIST network (nn.Linear's initialization) and 10,000 random rows (the test set's size).
struct FashionInference {
  mlp::Model<float> model{[] {
    mlp::ModelConfig c;
    c.sizes = {784, 256, 128, 10};
    return c;
  }()};
  mlp::Matrix<float> x = mlp::Matrix<float>(10000, 784);
  FashionInference() {
    mlp::Random rng(0);
    mlp::init_default(model, rng);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.rand());
  }
};

// model.predict over the 10,000 rows, evaluation mode.
void BM_FashionPredict10k(benchmark::State& state) {
  FashionInference f;
  for (auto _ : state) benchmark::DoNotOptimize(f.model.predict(f.x));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.x.rows()));
}
BENCHMARK(BM_FashionPredict10k)->UseRealTime();

// The same through a Predictor (oneDNN primitives over prepacked weights when built with oneDNN).
void BM_FashionPredictor10k(benchmark::State& state) {
  FashionInference f;
  mlp::Predictor<float> predictor(f.model);
  for (auto _ : state) benchmark::DoNotOptimize(predictor.predict(f.x));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.x.rows()));
}
BENCHMARK(BM_FashionPredictor10k)->UseRealTime();

// The tutorial's 2-4-1 network (float64, as `mlp demo`), trained with its values.
struct Tutorial {
  mlp::Model<double> model{[] {
    mlp::ModelConfig c;
    c.sizes = {2, 4, 1};
    return c;
  }()};
  Tutorial() {
    mlp::Random rng(99);
    mlp::init_tutorial(model, rng);
  }
};

// model.predict on one row (a new 1 x 1 result matrix each time).
void BM_TutorialPredictRow(benchmark::State& state) {
  Tutorial t;
  const mlp::Matrix<double> x{{28.1, 58.0}};
  for (auto _ : state) benchmark::DoNotOptimize(t.model.predict(x));
}
BENCHMARK(BM_TutorialPredictRow)->UseRealTime();

// One train_step on a batch of 2 rows: `mlp demo` runs 2000 of them.
void BM_TutorialTrainStep(benchmark::State& state) {
  Tutorial t;
  mlp::TrainOptions options;
  options.batch_size = 2;
  mlp::Trainer<double> trainer(t.model, mlp::Loss{mlp::LossKind::mse}, mlp::SGDOptions{.lr = 0.00001}, options);
  const mlp::Matrix<double> x{{22.5, 72.0}, {31.4, 45.0}, {19.8, 85.0}, {27.6, 63}};
  const mlp::Matrix<double> y{{95}, {210}, {70}, {155}};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(trainer.train_step(x.row(i), y.row(i), 2));
    i ^= 2;
  }
}
BENCHMARK(BM_TutorialTrainStep)->UseRealTime();

// FixedMlp<double, 2, 4, 1>::predict on one row.
void BM_FixedTutorialPredictRow(benchmark::State& state) {
  Tutorial t;
  const mlp::FixedMlp<double, 2, 4, 1> net(t.model);
  double x[2] = {28.1, 58.0}, y = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    net.predict(x, &y);
    benchmark::DoNotOptimize(y);
  }
}
BENCHMARK(BM_FixedTutorialPredictRow)->UseRealTime();

// The tutorial's whole training, 1000 epochs of 2 batches, through FixedMlp (what `mlp demo` times).
void BM_FixedTutorialTrain1000Epochs(benchmark::State& state) {
  Tutorial t;
  const mlp::FixedMlp<double, 2, 4, 1> start(t.model);
  const double x[8] = {22.5, 72.0, 31.4, 45.0, 19.8, 85.0, 27.6, 63};
  const double y[4] = {95, 210, 70, 155};
  for (auto _ : state) {
    mlp::FixedMlp<double, 2, 4, 1> net = start;
    benchmark::DoNotOptimize(net.train<2>(x, y, 4, 0.00001, 1000));
  }
}
BENCHMARK(BM_FixedTutorialTrain1000Epochs)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

// --threads=N (default 2) sets mlp::set_threads before the benchmarks run; the rest goes to
// Google Benchmark.
int main(int argc, char** argv) {
  int threads = 2;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0)
      threads = std::atoi(argv[i] + 10);
    else
      args.push_back(argv[i]);
  }
  mlp::set_threads(threads);
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::AddCustomContext("mlp_threads", std::to_string(threads));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
