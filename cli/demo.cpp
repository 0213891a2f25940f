// `mlp demo`: the tutorial's run (2-4-1 network, MSE, SGD batch 2, lr 1e-5, 1000 epochs,
// seed 99) on its embedded table: through FixedMlp for a relu (or identity) hidden layer, through
// the general Model and Trainer for any other activation and for --compare.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "mlp/nn/activation.h"
#include "core/format.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "mlp/train/trainer.h"

// FixedMlp needs libstdc++'s <experimental/simd>; elsewhere the demo trains through Trainer.
#if defined(__GLIBCXX__) && __has_include(<experimental/simd>)
#define MLP_DEMO_FIXED_MLP 1
#include "mlp/nn/fixed_mlp.h"
#endif

namespace mlp::cli {
namespace {

struct TutorialResult {
  Model<double> model;
  Matrix<double> predictions;
  double train_loss = 0;  // printed by --compare, which trains through Trainer
  double error = 0;
  double seconds = 0;
};

// The tutorial's table: four training rows and one test row.
const Matrix<double> kTrainFeatures{{22.5, 72.0}, {31.4, 45.0}, {19.8, 85.0}, {27.6, 63}};
const Matrix<double> kTrainLabels{{95}, {210}, {70}, {155}};
const Matrix<double> kTestFeatures{{28.1, 58.0}};
const Matrix<double> kTestLabels{{165}};
constexpr double kLearningRate = 0.00001;
constexpr std::size_t kEpochs = 1000;

Model<double> tutorial_model(const Activation& hidden) {
  ModelConfig config;
  config.sizes = {2, 4, 1};
  config.hidden_activations = {hidden};
  Model<double> model(config);
  Random rng(99);
  init_tutorial(model, rng);
  return model;
}

// Through the library's general model and trainer (any elementwise activation).
TutorialResult run_with_trainer(const Activation& hidden) {
  Model<double> model = tutorial_model(hidden);
  TrainOptions options;
  options.epochs = kEpochs;
  options.batch_size = 2;
  Trainer<double> trainer(model, Loss{LossKind::mse}, SGDOptions{.lr = kLearningRate}, options);
  auto start = std::chrono::steady_clock::now();
  for (std::size_t e = 0; e < options.epochs; ++e)
    for (std::size_t i = 0; i < kTrainFeatures.rows(); i += options.batch_size)
      trainer.train_step(kTrainFeatures.row(i), kTrainLabels.row(i), options.batch_size);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  TutorialResult r{model, {}, 0, 0, seconds};
  r.train_loss = trainer.evaluate(kTrainFeatures, kTrainLabels);
  r.predictions = model.predict(kTestFeatures);
  r.error = trainer.evaluate(kTestFeatures, kTestLabels);
  return r;
}

#ifdef MLP_DEMO_FIXED_MLP
// Through FixedMlp, the compile-time 2-4-1 network (relu or identity hidden layer): the same
// training, its weights equal to numpy's bit for bit on this project's machines.
template <ActivationKind Act>
TutorialResult run_fixed(const Activation& hidden) {
  Model<double> model = tutorial_model(hidden);
  FixedMlp<double, 2, 4, 1, Act> net(model);
  auto start = std::chrono::steady_clock::now();
  net.template train<2>(kTrainFeatures.data(), kTrainLabels.data(), kTrainFeatures.rows(), kLearningRate, kEpochs);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  net.copy_to(model);
  TutorialResult r{model, Matrix<double>(1, 1), 0, 0, seconds};
  net.predict(kTestFeatures.row(0), r.predictions.data());
  const double e = r.predictions(0, 0) - kTestLabels(0, 0);
  r.error = e * e;  // mse_loss over the one test row
  return r;
}
#endif

TutorialResult run_tutorial(const Activation& hidden) {
#ifdef MLP_DEMO_FIXED_MLP
  if (hidden.kind == ActivationKind::relu) return run_fixed<ActivationKind::relu>(hidden);
  if (hidden.kind == ActivationKind::identity) return run_fixed<ActivationKind::identity>(hidden);
#endif
  return run_with_trainer(hidden);
}

std::string duration_string(double seconds) {
  char buf[64];
  if (seconds < 1e-3)
    std::snprintf(buf, sizeof buf, "%.0f µs", seconds * 1e6);
  else if (seconds < 1)
    std::snprintf(buf, sizeof buf, "%.2f ms", seconds * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.2f s", seconds);
  return buf;
}

void print_run(const TutorialResult& r) {
  const Model<double>& m = r.model;
  auto show = [](const char* name, const Matrix<double>& a, bool vector) {
    std::printf("%s: %s\n", name, format_numpy(a.data(), a.rows(), a.cols(), vector).c_str());
  };
  show("hidden weight", m.weight_matrix(0), false);
  show("hidden bias", m.bias_matrix(0), true);
  show("output weight", m.weight_matrix(1), false);
  show("output bias", m.bias_matrix(1), true);
  show("predictions", r.predictions, false);
  std::printf("error: %s\n", format_repr(r.error).c_str());
  std::printf("trained 1000 epochs in %s\n", duration_string(r.seconds).c_str());
}

void print_compare() {
  std::printf("%-12s %14s %14s\n", "activation", "train_loss", "val_error");
  std::vector<std::string> names = {"none"};
  for (const std::string& name : activation_names())
    if (name != "identity" && !parse_activation(name).row_wise()) names.push_back(name);
  for (const std::string& name : names) {
    TutorialResult r = run_with_trainer(parse_activation(name));
    std::printf("%-12s %14.6g %14.6g\n", name.c_str(), r.train_loss, r.error);
  }
  std::printf("(2-4-1 network, MSE, SGD batch 2, lr 1e-5, 1000 epochs, seed 99; 'none' keeps the "
              "hidden layer linear)\n");
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "Run the tutorial's 2-4-1 network and print its results");
  auto activation = std::make_shared<std::string>("relu");
  auto compare = std::make_shared<bool>(false);
  cmd->add_option("--activation", *activation, "Hidden-layer activation (see 'mlp activation --help')")
      ->capture_default_str();
  cmd->add_flag("--compare", *compare, "Print the final training loss and validation error for every activation");
  cmd->callback([activation, compare]() {
    if (*compare) {
      print_compare();
      return;
    }
    Activation a = parse_activation(*activation);
    if (a.row_wise())
      throw InvalidArgument("demo: " + a.name() + " acts on whole rows; choose an elementwise activation");
    print_run(run_tutorial(a));
  });
}

}  // namespace mlp::cli
