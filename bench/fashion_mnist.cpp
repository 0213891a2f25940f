// End-to-end benchmark: trains the Fashion-MNIST MLP (784-256-128-10, ReLU, cross-entropy, Adam lr
// 1e-3, batch 128, float32, shuffled) as ../shared/reference/pytorch_fashion_mnist.py does, and
// prints per-epoch seconds, test accuracy, training FLOP rate against this machine's sgemm peak,
// batch inference throughput and max RSS. scripts/bench.sh runs it next to the PyTorch script.
//
//   fashion_mnist [EPOCHS=3] [--threads N=2] [--rows N=60000] [--hidden 256,128]
//                 [--data DIR=/usr/share/datasets/fashion-mnist] [--no-peak] [--blas] [--bf16]
// --bf16 trains with bfloat16 products (Model::set_bf16_products); the test accuracy is measured in float32.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlp/data/array.h"
#include "data/idx.h"
#include "mlp/train/dataset.h"
#include "mlp/nn/init.h"
#include "mlp/nn/loss.h"
#include "mlp/nn/model.h"
#include "mlp/nn/predictor.h"
#include "mlp/core/random.h"
#include "mlp/core/matmul.h"
#include "mlp/core/threads.h"
#include "mlp/train/trainer.h"

#ifdef MLP_USE_BLAS
#include <cblas.h>
#endif
#ifdef MLP_USE_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// uint8 images (rows, 784) and labels (rows, 1) kept as bytes; a batch's pixels become float and
// are divided by 255 as the PyTorch script's `astype(np.float32) / 255.0` (a float32 division).
class ByteImages : public mlp::Dataset<float> {
 public:
  ByteImages(const mlp::data::Array& images, const mlp::data::Array& labels, std::size_t rows)
      : images_(images.values<std::uint8_t>().data()),
        labels_(labels.values<std::uint8_t>().data()),
        rows_(std::min(rows, images.rows())),
        cols_(images.cols()) {}
  std::size_t rows() const override { return rows_; }
  std::size_t features() const override { return cols_; }
  std::size_t targets() const override { return 1; }
  void gather(const std::size_t* rows, std::size_t n, float* x, float* y) const override {
    for (std::size_t r = 0; r < n; ++r) {
      const std::uint8_t* src = images_ + rows[r] * cols_;
      float* dst = x + r * cols_;
      // Converted and divided in SIMD registers (a table lookup per pixel does not vectorize).
      for (std::size_t c = 0; c < cols_; ++c) dst[c] = static_cast<float>(src[c]) / 255.0f;
      y[r] = static_cast<float>(labels_[rows[r]]);
    }
  }
  // All rows as one matrix (rows, 784).
  mlp::Matrix<float> all() const {
    mlp::Matrix<float> x(rows_, cols_), y(rows_, 1);
    std::vector<std::size_t> index(rows_);
    for (std::size_t i = 0; i < rows_; ++i) index[i] = i;
    gather(index.data(), rows_, x.data(), y.data());
    return x;
  }

 private:
  const std::uint8_t* images_;
  const std::uint8_t* labels_;
  std::size_t rows_, cols_;
};

// GFLOP/s of gemm(n, a, b, c), C = A B on random 2048 x 2048 matrices, the best of a few runs.
template <typename Gemm>
double sgemm_gflops(Gemm gemm) {
  const int n = 2048;
  std::vector<float> a(std::size_t(n) * n), b(a.size()), c(a.size());
  mlp::Random rng(1);
  for (auto& v : a) v = static_cast<float>(rng.rand());
  for (auto& v : b) v = static_cast<float>(rng.rand());
  double best = 1e9;
  for (int r = 0; r < 6; ++r) {
    auto t = Clock::now();
    gemm(n, a.data(), b.data(), c.data());
    best = std::min(best, seconds_since(t));
  }
  return 2.0 * n * n * n / best / 1e9;
}

// OpenBLAS's cblas_sgemm with the current threads (0 without BLAS).
double sgemm_peak_gflops() {
#ifdef MLP_USE_BLAS
  return sgemm_gflops([](int n, const float* a, const float* b, float* c) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
  });
#else
  return 0;
#endif
}

// oneDNN's sgemm (the kernels mlp::Predictor uses), 0 without it.
double onednn_sgemm_gflops() {
#ifdef MLP_USE_DNNL
  return sgemm_gflops([](int n, const float* a, const float* b, float* c) {
    dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
  });
#else
  return 0;
#endif
}

// CPU seconds of this process, all threads: steadier than wall time on a busy machine.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Resident memory now (MiB), from /proc/self/statm; 0 where that cannot be read.
double rss_mb() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double max_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<std::size_t> parse_sizes(const std::string& text) {
  std::vector<std::size_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(std::stoul(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

struct Args {
  std::size_t epochs = 3;
  int threads = 2;
  std::size_t rows = 60000;
  std::vector<std::size_t> hidden = {256, 128};
  std::string data = "/usr/share/datasets/fashion-mnist";
  bool peak = true;
  bool blas = false;  // float32 training products on BLAS instead of oneDNN
  bool bf16 = false;  // bfloat16 products (mixed precision)
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--threads") a.threads = std::stoi(value());
    else if (arg == "--rows") a.rows = std::stoul(value());
    else if (arg == "--hidden") a.hidden = parse_sizes(value());
    else if (arg == "--data") a.data = value();
    else if (arg == "--no-peak") a.peak = false;
    else if (arg == "--blas") a.blas = true;
    else if (arg == "--bf16") a.bf16 = true;
    else if (!arg.empty() && arg[0] != '-') a.epochs = std::stoul(arg);
    else throw std::runtime_error("unknown argument " + arg);
  }
  return a;
}

const char* blas_core() {
#ifdef MLP_USE_BLAS
  return openblas_get_corename();
#else
  return "none (MLP_USE_BLAS=OFF)";
#endif
}

int run(const Args& args) {
  mlp::set_threads(args.threads);
  std::optional<mlp::WithoutOnednnProducts> blas;
  if (args.blas) blas.emplace();
  std::printf("threads %d\n", mlp::threads());
  std::printf("training_products %s%s\n", mlp::onednn_products() ? "oneDNN" : "BLAS",
              args.bf16 ? (mlp::bf16_products() ? " bf16" : " bf16 (no native bf16 here: plain loops)") : "");
  // OpenBLAS's sgemm peak with the kernels it chose (OPENBLAS_CORETYPE, if set, decides).
  // Training's products run on OpenBLAS: its peak is the one the training FLOP rate is held to.
  // oneDNN's (the kernels of batch inference) for the record.
  const double peak = args.peak ? sgemm_peak_gflops() : 0;
  if (args.peak) {
    std::printf("sgemm_peak_gflops %.1f (OpenBLAS core %s)\n", peak, blas_core());
    if (const double onednn = onednn_sgemm_gflops(); onednn > 0) std::printf("onednn_sgemm_gflops %.1f\n", onednn);
  }

  const std::string dir = args.data + "/";
  const mlp::data::Array train_images = mlp::data::read_idx(dir + "train-images-idx3-ubyte.gz");
  const mlp::data::Array train_labels = mlp::data::read_idx(dir + "train-labels-idx1-ubyte.gz");
  const mlp::data::Array test_images = mlp::data::read_idx(dir + "t10k-images-idx3-ubyte.gz");
  const mlp::data::Array test_labels = mlp::data::read_idx(dir + "t10k-labels-idx1-ubyte.gz");
  const ByteImages train(train_images, train_labels, args.rows);
  const ByteImages test(test_images, test_labels, test_images.rows());
  const mlp::Matrix<float> x_test = test.all();
  std::vector<float> y_test(test.rows());
  for (std::size_t i = 0; i < test.rows(); ++i) y_test[i] = test_labels.values<std::uint8_t>()[i];

  mlp::ModelConfig config;
  config.sizes = {train.features()};
  config.sizes.insert(config.sizes.end(), args.hidden.begin(), args.hidden.end());
  config.sizes.push_back(10);
  config.hidden_activations = {mlp::Activation{mlp::ActivationKind::relu}};
  mlp::Model<float> model(config);
  mlp::Random rng(0);
  mlp::init_default(model, rng);
  // Training FLOPs per row, as docs/benchmarks.md counts them: 2 per multiply-add forward, 2 for the weight
  // gradient and 2 for the input gradient backward, which the first layer does not need
  // (4·784·256 + 6·(256·128 + 128·10) for Fashion-MNIST).
  double flops_per_row = 0, forward_flops_per_row = 0;
  for (std::size_t i = 0; i + 1 < config.sizes.size(); ++i) {
    const double multiply_adds = static_cast<double>(config.sizes[i]) * static_cast<double>(config.sizes[i + 1]);
    flops_per_row += (i == 0 ? 4.0 : 6.0) * multiply_adds;
    forward_flops_per_row += 2.0 * multiply_adds;
  }
  std::printf("model");
  for (std::size_t s : config.sizes) std::printf(" %zu", s);
  std::printf(" rows %zu\n", train.rows());

  mlp::TrainOptions options;
  options.epochs = args.epochs;
  options.batch_size = 128;
  options.shuffle = true;
  options.seed = 0;
  mlp::Trainer<float> trainer(model, mlp::Loss{mlp::LossKind::cross_entropy}, mlp::AdamOptions{.lr = 1e-3},
                              options);
  std::vector<double> epoch_seconds, epoch_cpu;
  double cpu_mark = cpu_seconds();
  trainer.on_epoch_end = [&](const mlp::EpochStats& s) {
    epoch_seconds.push_back(s.seconds);
    epoch_cpu.push_back(cpu_seconds() - cpu_mark);
    model.set_bf16_products(false);
    const mlp::Matrix<float> logits = model.predict(x_test);
    model.set_bf16_products(args.bf16);
    std::size_t correct = 0;
    for (std::size_t r = 0; r < logits.rows(); ++r) {
      const float* row = logits.row(r);
      const auto predicted = static_cast<std::size_t>(std::max_element(row, row + logits.cols()) - row);
      correct += predicted == static_cast<std::size_t>(y_test[r]);
    }
    std::printf("epoch %zu seconds %.3f cpu_seconds %.3f train_loss %.4f test_accuracy %.4f rss_mb %.1f\n", s.epoch,
                s.seconds, epoch_cpu.back(), s.train_loss, static_cast<double>(correct) / static_cast<double>(logits.rows()),
                rss_mb());
    std::fflush(stdout);
    cpu_mark = cpu_seconds();
    return true;
  };
  model.set_bf16_products(args.bf16);
  trainer.fit(train);
  model.set_bf16_products(false);

  const double epoch = median(epoch_seconds);
  const double flops = flops_per_row * static_cast<double>(train.rows());
  std::printf("median_epoch_seconds %.4f\n", epoch);
  std::printf("median_epoch_cpu_seconds %.4f\n", median(epoch_cpu));
  std::printf("train_gflops %.1f\n", flops / epoch / 1e9);
  if (peak > 0) std::printf("train_fraction_of_peak %.3f\n", flops / epoch / 1e9 / peak);

  // Batch inference over the 10k test rows: the best of several passes, through a Predictor
  // (weights packed once, as `mlp predict` does) and through Model::predict.
  auto best_of = [&](auto&& predict) {
    double best = 1e9;
    for (int r = 0; r < 10; ++r) {
      auto t = Clock::now();
      const mlp::Matrix<float> out = predict();
      best = std::min(best, seconds_since(t));
    }
    return static_cast<double>(x_test.rows()) / best;
  };
  mlp::Predictor<float> predictor(model);
  const double rows_per_second = best_of([&] { return predictor.predict(x_test); });
  std::printf("inference_rows_per_second %.0f\n", rows_per_second);
  std::printf("inference_gflops %.1f\n", rows_per_second * forward_flops_per_row / 1e9);
  std::printf("model_predict_rows_per_second %.0f\n", best_of([&] { return model.predict(x_test); }));
  std::printf("max_rss_mb %.1f\n", max_rss_mb());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion_mnist: error: %s\n", e.what());
    return 1;
  }
}
