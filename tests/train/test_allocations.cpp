// Allocation counting: after the first step, a training step (forward, loss, backward, clipping,
// optimizer step) and the trainer's per-batch loop allocate nothing, for every optimizer, with and
// without dropout and batch norm, for the same batch size and a smaller one. Our code's count is
// taken with float32 products on BLAS; oneDNN's products allocate a few blocks inside every call,
// and that count is checked to be the same every step (constant, not growing).
// This file replaces the global operator new/delete for the whole test binary; counting is off
// unless a test opens a window (AllocationWindow), so other tests are unaffected.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <ostream>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "mlp/train/communicator.h"
#include "mlp/nn/fixed_mlp.h"
#include "mlp/nn/init.h"
#include "mlp/core/matmul.h"
#include "mlp/nn/model.h"
#include "mlp/core/random.h"
#include "mlp/train/trainer.h"
#include "tutorial_fixture.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

void* counted_alloc(std::size_t n, std::size_t align = 0) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align)
                                              : std::malloc(n);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_alloc(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_alloc(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

// Counts the allocations made between its construction and count() (or its destruction).
class AllocationWindow {
 public:
  AllocationWindow() {
    g_allocations.store(0);
    g_counting.store(true);
  }
  ~AllocationWindow() { g_counting.store(false); }
  long count() {
    g_counting.store(false);
    return g_allocations.load();
  }
};

// Float32 products on BLAS for the scope's life (BLAS allocates nothing per call; oneDNN does).
using OurCodeOnly = mlp::WithoutOnednnProducts;

TEST(AllocationCounter, CountsInsideTheWindowOnly) {
  auto* outside = new std::vector<int>(10);
  AllocationWindow window;
  auto* inside = new std::vector<int>(10);  // the vector and its storage
  long n = window.count();
  delete inside;
  delete outside;
  EXPECT_EQ(n, 2);
}

struct Case {
  std::string name;
  mlp::OptimizerOptions optimizer;
  double dropout = 0;
  bool batch_norm = false;
  mlp::LossKind loss = mlp::LossKind::cross_entropy;
  double clip_norm = 0;
  bool bf16 = false;  // bfloat16 products (on the loops here: OurCodeOnly)
};

std::string case_name(const testing::TestParamInfo<Case>& info) { return info.param.name; }
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class TrainStepAllocations : public testing::TestWithParam<Case> {
 protected:
  // 784-64-32-10 float model, random inputs; targets are class indices or one-hot rows.
  void SetUp() override {
    const Case& c = GetParam();
    mlp::ModelConfig config;
    config.sizes = {784, 64, 32, 10};
    config.dropout = c.dropout;
    config.batch_norm = c.batch_norm;
    model_ = std::make_unique<mlp::Model<float>>(config);
    model_->set_bf16_products(c.bf16);
    mlp::Random rng(7);
    mlp::init_default(*model_, rng);
    mlp::TrainOptions options;
    options.clip_grad_norm = c.clip_norm;
    trainer_ = std::make_unique<mlp::Trainer<float>>(*model_, mlp::Loss{c.loss}, c.optimizer, options);
    const bool classes = mlp::Loss{c.loss}.class_targets();
    x_.resize(kRows * 784);
    y_.resize(kRows * (classes ? 1 : 10));
    for (auto& v : x_) v = static_cast<float>(rng.rand());
    for (std::size_t r = 0; r < kRows; ++r) {
      if (classes)
        y_[r] = static_cast<float>(r % 10);
      else
        y_[r * 10 + r % 10] = 1;
    }
    ty_ = classes ? 1 : 10;
  }

  double step(std::size_t first_row, std::size_t B) {
    return trainer_->train_step(x_.data() + first_row * 784, y_.data() + first_row * ty_, B);
  }

  static constexpr std::size_t kRows = 96;
  OurCodeOnly blas_;
  std::unique_ptr<mlp::Model<float>> model_;
  std::unique_ptr<mlp::Trainer<float>> trainer_;
  std::vector<float> x_, y_;
  std::size_t ty_ = 1;
};

TEST_P(TrainStepAllocations, NoneAfterTheFirstStep) {
  step(0, 32);  // warm-up: buffers and optimizer state are made here
  AllocationWindow window;
  double loss = 0;
  for (int i = 0; i < 5; ++i) loss += step(32 * (i % 2), 32);  // the same batch size
  for (int i = 0; i < 3; ++i) loss += step(64, 16);            // a smaller one reuses the buffers
  loss += step(80, 16);
  const long n = window.count();
  EXPECT_EQ(n, 0) << "allocations in 9 train_steps";
  EXPECT_TRUE(std::isfinite(loss));
}

TEST_P(TrainStepAllocations, NoneInForwardAndBackward) {
  step(0, 32);
  std::vector<float> dout(32 * 10, 0.01f);
  AllocationWindow window;
  for (int i = 0; i < 3; ++i) {
    model_->zero_grad();
    model_->forward(x_.data(), 32);
    model_->backward(dout.data());
  }
  model_->set_training(false);
  model_->forward(x_.data(), 32);
  model_->set_training(true);
  EXPECT_EQ(window.count(), 0);
}

const Case kCases[] = {
    {"sgd", mlp::SGDOptions{.lr = 0.01}},
    {"sgd_momentum_nesterov", mlp::SGDOptions{.lr = 0.01, .momentum = 0.9, .nesterov = true}},
    {"adam", mlp::AdamOptions{}},
    {"adam_amsgrad_wd", mlp::AdamOptions{.weight_decay = 1e-4, .amsgrad = true}},
    {"adamw", mlp::AdamWOptions{}},
    {"rmsprop_centered", mlp::RMSpropOptions{.momentum = 0.5, .centered = true}},
    {"adagrad", mlp::AdagradOptions{}},
    {"sgd_dropout", mlp::SGDOptions{.lr = 0.01}, 0.2},
    {"adam_dropout", mlp::AdamOptions{}, 0.2},
    {"sgd_batch_norm", mlp::SGDOptions{.lr = 0.01}, 0, true},
    {"adam_batch_norm", mlp::AdamOptions{}, 0, true},
    {"adam_dropout_batch_norm", mlp::AdamOptions{}, 0.3, true},
    {"adam_mse", mlp::AdamOptions{}, 0, false, mlp::LossKind::mse},
    {"adam_nll_clip", mlp::AdamOptions{}, 0, false, mlp::LossKind::nll, 1.0},
    {"sgd_bce_with_logits", mlp::SGDOptions{.lr = 0.01}, 0, false, mlp::LossKind::bce_with_logits},
    {"adam_bf16", mlp::AdamOptions{}, 0, false, mlp::LossKind::cross_entropy, 0, true},
    {"adam_dropout_bf16", mlp::AdamOptions{}, 0.2, false, mlp::LossKind::cross_entropy, 0, true},
    {"adam_batch_norm_bf16", mlp::AdamOptions{}, 0, true, mlp::LossKind::cross_entropy, 0, true},
    {"sgd_mse_bf16", mlp::SGDOptions{.lr = 0.01}, 0, false, mlp::LossKind::mse, 0, true},
};
INSTANTIATE_TEST_SUITE_P(Configs, TrainStepAllocations, testing::ValuesIn(kCases), case_name);

// With oneDNN's products, a step allocates what oneDNN allocates inside its calls: the same
// number every step of a batch size (docs/benchmarks.md states it and its cost).
TEST(LibraryAllocations, OneDnnProductsAllocateTheSameEveryStep) {
  if (!mlp::onednn_products()) GTEST_SKIP() << "float32 products take BLAS in this build (no oneDNN)";
  for (bool bf16 : {false, true}) {
    if (bf16 && !mlp::bf16_products()) continue;  // bfloat16 products would take the loops
    SCOPED_TRACE(bf16 ? "bf16 products" : "float32 products");
    mlp::ModelConfig config;
    config.sizes = {784, 64, 32, 10};
    config.dropout = 0.2;
    mlp::Model<float> model(config);
    model.set_bf16_products(bf16);
    mlp::Random rng(7);
    mlp::init_default(model, rng);
    mlp::Trainer<float> trainer(model, mlp::Loss{mlp::LossKind::cross_entropy}, mlp::AdamOptions{});
    std::vector<float> x(32 * 784), y(32);
    for (auto& v : x) v = static_cast<float>(rng.rand());
    for (std::size_t r = 0; r < y.size(); ++r) y[r] = static_cast<float>(r % 10);
    for (std::size_t B : {32, 16}) {
      trainer.train_step(x.data(), y.data(), B);  // warm-up: this shape's primitives are made here
      std::vector<long> counts;
      for (int i = 0; i < 5; ++i) {
        AllocationWindow window;
        trainer.train_step(x.data(), y.data(), B);
        counts.push_back(window.count());
      }
      for (long c : counts) EXPECT_EQ(c, counts[0]) << "batch " << B;
      EXPECT_LE(counts[0], 8 * 8) << "batch " << B << ": 8 products a step, a few blocks each";
      RecordProperty(std::string(bf16 ? "bf16_" : "") + "allocations_per_step_batch_" + std::to_string(B),
                     static_cast<int>(counts[0]));
    }
  }
}

// The tutorial's float64 network, as `mlp demo` trains it.
TEST(TutorialAllocations, NoneAfterTheFirstStep) {
  mlp::Model<double> model = mlp_test::tutorial_model();
  mlp::TrainOptions options;
  options.batch_size = 2;
  mlp::Trainer<double> trainer(model, mlp::Loss{mlp::LossKind::mse}, mlp::SGDOptions{.lr = 0.00001}, options);
  const mlp::Matrix<double>& x = mlp_test::kTutorialX;
  const mlp::Matrix<double>& y = mlp_test::kTutorialY;
  trainer.train_step(x.row(0), y.row(0), 2);
  AllocationWindow window;
  for (int e = 0; e < 10; ++e)
    for (std::size_t i = 0; i < 4; i += 2) trainer.train_step(x.row(i), y.row(i), 2);
  EXPECT_EQ(window.count(), 0);
}

// FixedMlp's whole training loop and its prediction allocate nothing.
TEST(FixedMlpAllocations, NoneInTrainingOrPrediction) {
  mlp::FixedMlp<double, 2, 4, 1> net(mlp_test::tutorial_model());
  const double* x = mlp_test::kTutorialX.data();
  const double* y = mlp_test::kTutorialY.data();
  double p = 0;
  AllocationWindow window;
  const double loss = net.train<2>(x, y, 4, 1e-5, 100);
  net.predict(x, &p);
  EXPECT_EQ(window.count(), 0);
  EXPECT_TRUE(std::isfinite(loss) && std::isfinite(p));
}

// fit's per-batch loop (gather, step, a per-batch schedule, the callback) allocates nothing either:
// count from the end of one batch to the end of a later one in the same epoch.
TEST(TrainerLoopAllocations, NoneBetweenBatches) {
  OurCodeOnly blas;
  mlp::ModelConfig config;
  config.sizes = {20, 16, 3};
  config.dropout = 0.1;
  mlp::Model<float> model(config);
  mlp::Random rng(3);
  mlp::init_default(model, rng);
  mlp::Matrix<float> x(200, 20), y(200, 1);
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.rand());
  for (std::size_t r = 0; r < y.rows(); ++r) y(r, 0) = static_cast<float>(r % 3);
  mlp::TrainOptions options;
  options.epochs = 1;
  options.batch_size = 16;
  options.schedule = mlp::OneCycleLR{.max_lr = 0.01, .total_steps = 13};
  mlp::Trainer<float> trainer(model, mlp::Loss{mlp::LossKind::cross_entropy}, mlp::AdamOptions{}, options);
  long allocations = -1;
  std::size_t batches = 0;
  trainer.on_batch_end = [&](const mlp::BatchStats& s) {
    batches = s.batch;
    if (s.batch == 2) {
      g_allocations.store(0);
      g_counting.store(true);
    } else if (s.batch == 12) {
      g_counting.store(false);
      allocations = g_allocations.load();
    }
  };
  trainer.fit(x, y);
  g_counting.store(false);
  EXPECT_EQ(batches, 13u);
  EXPECT_EQ(allocations, 0) << "allocations in batches 3 to 12";
}

// Two processes as one sees them, in this process: its sums double its own numbers (as if the
// other had the same), planned sums run when started. Enough to run data-parallel training's
// overlapped path here and count its allocations (the real thing: tests/cli/test_distributed.cpp).
class TwinCommunicator final : public mlp::Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 2; }
  void allreduce_sum(double* d, std::size_t n) override { twice(d, n); }
  void allreduce_sum(float* d, std::size_t n) override { twice(d, n); }
  void allgather(double* out, const double* in, std::size_t n) override { gather(out, in, n); }
  void allgather(float* out, const float* in, std::size_t n) override { gather(out, in, n); }
  void broadcast(void*, std::size_t, int) override {}
  Plan plan_allreduce_sum(double* d, std::size_t n) override { return add_plan([=] { twice(d, n); }); }
  Plan plan_allreduce_sum(float* d, std::size_t n) override { return add_plan([=] { twice(d, n); }); }
  void start(Plan p) override { plans_[p](); }
  void wait_all() override {}
  void free_plans() override { plans_.clear(); }

 private:
  template <typename T>
  static void twice(T* d, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) d[i] += d[i];
  }
  template <typename T>
  static void gather(T* out, const T* in, std::size_t n) {
    std::copy(in, in + n, out);
    std::copy(in, in + n, out + n);
  }
  Plan add_plan(std::function<void()> f) {
    plans_.push_back(std::move(f));
    return plans_.size() - 1;
  }
  std::vector<std::function<void()>> plans_;
};

// Data-parallel training's steps allocate nothing after the first either: per-layer planned sums
// started from backward, and deterministic micro-batches summed in a tree.
TEST(TrainerLoopAllocations, NoneBetweenDataParallelBatches) {
  OurCodeOnly blas;
  for (bool deterministic : {false, true}) {
    mlp::ModelConfig config;
    config.sizes = {20, 16, 8, 3};
    config.dropout = 0.1;
    mlp::Model<float> model(config);
    mlp::Random rng(3);
    mlp::init_default(model, rng);
    mlp::Matrix<float> x(200, 20), y(200, 1);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.rand());
    for (std::size_t r = 0; r < y.rows(); ++r) y(r, 0) = static_cast<float>(r % 3);
    TwinCommunicator twins;
    mlp::TrainOptions options;
    options.epochs = 1;
    options.batch_size = 16;  // the last batch has 8 rows
    options.communicator = &twins;
    options.deterministic = deterministic;
    options.micro_batches = 4;
    mlp::Trainer<float> trainer(model, mlp::Loss{mlp::LossKind::cross_entropy}, mlp::AdamOptions{}, options);
    long allocations = -1;
    std::size_t batches = 0;
    trainer.on_batch_end = [&](const mlp::BatchStats& s) {
      batches = s.batch;
      if (s.batch == 2) {
        g_allocations.store(0);
        g_counting.store(true);
      } else if (s.batch == 13) {
        g_counting.store(false);
        allocations = g_allocations.load();
      }
    };
    trainer.fit(x, y);
    g_counting.store(false);
    EXPECT_EQ(batches, 13u);
    EXPECT_EQ(allocations, 0) << "allocations in batches 3 to 13, deterministic " << deterministic;
  }
}

}  // namespace
