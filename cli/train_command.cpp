// `mlp train DATA -o MODEL`: reads the data, picks the task, trains, and saves the model as
// safetensors (atomically), with optional history CSV and SVG plot.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "array_dataset.h"
#include "commands.h"
#include "data_loading.h"
#include "mlp/error.h"
#include "mlp/format.h"
#include "mlp/init.h"
#include "mlp/io/file.h"
#include "mlp/io/model_file.h"
#include "mlp/io/svg.h"
#include "mlp/scaler.h"
#include "mlp/trainer.h"
#include "progress.h"
#include "specs.h"
#include "threads_option.h"

namespace mlp::cli {
namespace {

struct TrainArgs {
  DataArgs data;
  std::string output;
  std::string task;
  std::string hidden = "100";
  bool hidden_given = false;
  std::string activation = "relu";
  std::string output_activation;
  std::string loss;
  std::string optimizer = "adam";
  double lr = 0;  // 0: the optimizer's default
  double momentum = 0;
  bool nesterov = false;
  double weight_decay = -1;  // < 0: the optimizer's default
  double dropout = 0;
  bool batch_norm = false;
  std::string schedule = "none";
  std::size_t warmup = 0;
  std::size_t batch_size = 32;
  std::size_t epochs = 100;
  std::uint32_t seed = 0;
  bool no_shuffle = false;
  std::string val, val_labels;
  double val_split = -1;  // < 0: automatic (10% for regression, none for classification)
  std::size_t early_stopping = 10;
  std::string scale = "standard";
  std::string init_file;
  std::string init = "default";
  std::string dtype = "f32";
  int threads = 0;
  double clip_norm = 0;
  std::string history, plot;
  bool quiet = false;
};

OptimizerOptions optimizer_options(const TrainArgs& a) {
  OptimizerOptions o = default_optimizer_options(a.optimizer);
  std::visit(
      [&](auto& opt) {
        using O = std::decay_t<decltype(opt)>;
        if (a.lr != 0) opt.lr = a.lr;
        if (a.weight_decay >= 0) opt.weight_decay = a.weight_decay;
        if constexpr (std::is_same_v<O, SGDOptions> || std::is_same_v<O, RMSpropOptions>) {
          opt.momentum = a.momentum;
        } else {
          if (a.momentum != 0) throw InvalidArgument("--momentum applies to sgd and rmsprop, not " + a.optimizer);
        }
        if constexpr (std::is_same_v<O, SGDOptions>) {
          opt.nesterov = a.nesterov;
        } else {
          if (a.nesterov) throw InvalidArgument("--nesterov applies to sgd, not " + a.optimizer);
        }
      },
      o);
  return o;
}

double optimizer_lr(const OptimizerOptions& o) {
  return std::visit([](const auto& v) { return v.lr; }, o);
}

std::string metric_header(const std::vector<EpochStats>& h) {
  std::string s;
  if (!h.empty())
    for (const auto& [name, value] : h.front().val_metrics) s += ",val_" + name;
  return s;
}

std::string history_csv(const std::vector<EpochStats>& h) {
  std::string csv = "epoch,seconds,lr,train_loss,val_loss" + metric_header(h) + "\n";
  for (const auto& e : h) {
    csv += std::to_string(e.epoch) + "," + format_repr(e.seconds) + "," + format_repr(e.lr) + "," +
           format_repr(e.train_loss) + "," + (std::isnan(e.val_loss) ? "" : format_repr(e.val_loss));
    for (const auto& [name, value] : e.val_metrics) csv += "," + format_repr(value);
    csv += "\n";
  }
  return csv;
}

std::string history_plot(const std::vector<EpochStats>& h, const std::string& title) {
  io::PlotSeries train{"train loss", {}, {}}, val{"validation loss", {}, {}};
  for (const auto& e : h) {
    train.x.push_back(static_cast<double>(e.epoch));
    train.y.push_back(e.train_loss);
    val.x.push_back(static_cast<double>(e.epoch));
    val.y.push_back(e.val_loss);
  }
  std::vector<io::PlotSeries> series = {train};
  if (!h.empty() && !std::isnan(h.front().val_loss)) series.push_back(val);
  // The main metric on the same axes when it shares the loss's range (accuracy, r2 in [0, 1]).
  if (!h.empty())
    for (const auto& [name, first] : h.front().val_metrics)
      if (name == "accuracy" || name == "r2") {
        io::PlotSeries m{"validation " + name, {}, {}};
        for (const auto& e : h)
          for (const auto& [n, v] : e.val_metrics)
            if (n == name) {
              m.x.push_back(static_cast<double>(e.epoch));
              m.y.push_back(v);
            }
        series.push_back(m);
      }
  io::PlotOptions o;
  o.title = title;
  o.x_label = "epoch";
  return io::svg_line_plot(series, o);
}

// Standardizes regression targets in place: y' = (y - mean) / std per column (std 0 -> 1).
void fit_target_scaling(const std::vector<double>& y, std::size_t cols, std::vector<double>& offset,
                        std::vector<double>& scale) {
  std::size_t rows = y.size() / cols;
  offset.assign(cols, 0);
  scale.assign(cols, 0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) offset[k] += y[r * cols + k];
  for (auto& m : offset) m /= static_cast<double>(rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) scale[k] += (y[r * cols + k] - offset[k]) * (y[r * cols + k] - offset[k]);
  for (auto& s : scale) {
    s = std::sqrt(s / static_cast<double>(rows));
    if (!(s > 0) || !std::isfinite(s)) s = 1;
  }
}

template <typename T>
Matrix<T> target_matrix(const std::vector<double>& values, std::size_t cols, const std::vector<double>& offset,
                        const std::vector<double>& scale) {
  Matrix<T> m(values.size() / cols, cols);
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::size_t k = i % cols;
    double v = offset.empty() ? values[i] : (values[i] - offset[k]) / scale[k];
    m.data()[i] = static_cast<T>(v);
  }
  return m;
}

template <typename T>
void train(const TrainArgs& a) {
  apply_threads_option(a.threads);
  // The data and the task.
  RawData data = load_training_data(a.data);
  TaskChoice task = choose_task(data, a.task);
  io::ModelDescription d;
  d.classification = task.classification;
  d.feature_names = data.feature_names;
  d.target_names = data.target_names;
  std::vector<double> targets;
  std::size_t outputs = 0;
  if (task.classification) {
    d.class_names = class_names(data);
    if (d.class_names.size() < 2)
      throw InvalidArgument(data.source + ": classification needs at least 2 classes, the labels have " +
                            std::to_string(d.class_names.size()));
    targets = encode_labels(data, d.class_names);
    bool binary = d.class_names.size() == 2;
    d.loss = parse_loss(a.loss.empty() ? (binary ? "bce_with_logits" : "cross_entropy") : a.loss);
    if (task_for_loss(d.loss) == Task::regression)
      throw InvalidArgument("--loss " + d.loss.name() + " is a regression loss; classification takes cross_entropy, nll, bce or bce_with_logits");
    if (task_for_loss(d.loss) == Task::binary && !binary)
      throw InvalidArgument("--loss " + d.loss.name() + " is for two classes; the labels have " +
                            std::to_string(d.class_names.size()) + " (use cross_entropy)");
    outputs = task_for_loss(d.loss) == Task::binary ? 1 : d.class_names.size();
  } else {
    targets = regression_targets(data);
    d.loss = parse_loss(a.loss.empty() ? "mse" : a.loss);
    if (task_for_loss(d.loss) != Task::regression)
      throw InvalidArgument("--loss " + d.loss.name() + " is a classification loss, but the task is regression (" +
                            task.reason + "); pass --task classification to classify");
    outputs = data.target_cols;
  }
  const std::size_t target_cols = task.classification ? 1 : data.target_cols;

  // Preprocessing: feature scaling fitted on the training rows; regression targets standardized.
  ScaleKind scale = parse_scale(a.scale);
  if (!task.classification && scale != ScaleKind::none) fit_target_scaling(targets, target_cols, d.target_offset, d.target_scale);
  ArrayDataset<T> raw_train(data.features, target_matrix<T>(targets, target_cols, d.target_offset, d.target_scale));
  d.scaler = Scaler::fit(scale, raw_train);
  ScaledDataset<T> train_set(raw_train, d.scaler);

  // Validation data, read like the training data and preprocessed with the training statistics.
  std::unique_ptr<RawData> val_data;
  std::unique_ptr<ArrayDataset<T>> raw_val;
  std::unique_ptr<ScaledDataset<T>> val_set;
  // Without validation data, regression holds out 10% by default: on small noisy data, early
  // stopping on held-out rows is what keeps a network from overfitting (docs/cli.md has the numbers).
  double val_split = a.val_split;
  if (val_split < 0) val_split = a.val.empty() && !task.classification && data.rows() >= 20 ? 0.1 : 0;
  if (!a.val.empty()) {
    if (val_split > 0) throw InvalidArgument("give either --val or --val-split, not both");
    DataArgs va = a.data;
    va.path = a.val;
    va.labels = a.val_labels;
    val_data = std::make_unique<RawData>(load_training_data(va));
    if (val_data->features.cols() != data.features.cols())
      throw ShapeError(a.val + ": " + std::to_string(val_data->features.cols()) + " features, the training data has " +
                       std::to_string(data.features.cols()));
    std::vector<double> vt = task.classification ? encode_labels(*val_data, d.class_names) : regression_targets(*val_data);
    if (!task.classification && val_data->target_cols != target_cols)
      throw ShapeError(a.val + ": " + std::to_string(val_data->target_cols) + " target columns, the training data has " +
                       std::to_string(target_cols));
    raw_val = std::make_unique<ArrayDataset<T>>(val_data->features,
                                                target_matrix<T>(vt, target_cols, d.target_offset, d.target_scale));
    val_set = std::make_unique<ScaledDataset<T>>(*raw_val, d.scaler);
  }

  // The model: the architecture from the flags, or from an mlp model given to --init.
  d.config.sizes.clear();
  d.config.sizes.push_back(data.features.cols());
  if (!a.init_file.empty() && !a.hidden_given && io::is_mlp_model(a.init_file)) {
    io::ModelDescription from = io::read_description(a.init_file);
    d.config = from.config;
    if (d.config.sizes.front() != data.features.cols() || d.config.sizes.back() != outputs)
      throw ShapeError(a.init_file + ": a model of " + std::to_string(d.config.sizes.front()) + " inputs and " +
                       std::to_string(d.config.sizes.back()) + " outputs; the data needs " +
                       std::to_string(data.features.cols()) + " and " + std::to_string(outputs));
  } else {
    for (std::size_t w : parse_widths(a.hidden)) d.config.sizes.push_back(w);
    d.config.sizes.push_back(outputs);
    d.config.hidden = parse_activations(a.activation);
    std::string out_act = a.output_activation;
    if (out_act.empty()) out_act = d.loss.kind == LossKind::nll ? "log_softmax" : d.loss.kind == LossKind::bce ? "sigmoid" : "identity";
    d.config.output = parse_activation(out_act);
    d.config.dropout = a.dropout;
    d.config.batch_norm = a.batch_norm;
  }
  Model<T> model(d.config);
  Random rng(a.seed);
  init_model(model, parse_init(a.init), rng);
  if (!a.init_file.empty()) io::load_weights(a.init_file, model);

  // Training.
  OptimizerOptions opt = optimizer_options(a);
  TrainOptions o;
  o.epochs = a.epochs;
  o.batch_size = a.batch_size;
  o.shuffle = !a.no_shuffle;
  o.seed = a.seed;
  o.validation_split = val_split;
  o.early_stopping_patience = a.early_stopping;
  o.min_delta = a.early_stopping > 0 ? 1e-4 : 0;
  o.clip_grad_norm = a.clip_norm;
  std::size_t train_rows = val_split > 0 ? static_cast<std::size_t>(static_cast<double>(data.rows()) * (1 - val_split))
                                           : data.rows();
  std::size_t steps = a.batch_size ? (train_rows + a.batch_size - 1) / a.batch_size : 1;
  o.schedule = parse_schedule(a.schedule, a.epochs, steps, optimizer_lr(opt));
  o.warmup = Warmup{.epochs = a.warmup};
  Trainer<T> trainer(model, d.loss, opt, o);
  if (!d.target_offset.empty())
    trainer.before_metrics = [&d](Matrix<T>& out, Matrix<T>& y) {
      const std::size_t k = out.cols();
      for (std::size_t i = 0; i < out.size(); ++i) {
        out.data()[i] = static_cast<T>(out.data()[i] * d.target_scale[i % k] + d.target_offset[i % k]);
        y.data()[i] = static_cast<T>(y.data()[i] * d.target_scale[i % k] + d.target_offset[i % k]);
      }
    };
  Progress progress(a.quiet, a.epochs);
  trainer.on_batch_end = [&](const BatchStats& b) { progress.batch(b); };
  trainer.on_epoch_end = [&](const EpochStats& e) {
    progress.epoch(e);
    return true;
  };
  if (!a.quiet) {
    std::string shape;
    for (std::size_t i = 0; i < d.config.sizes.size(); ++i) shape += (i ? "-" : "") + std::to_string(d.config.sizes[i]);
    std::fprintf(stderr, "%s: %zu rows, %zu features; task: %s (%s)%s; model %s, %zu parameters, %s\n",
                 data.source.c_str(), data.rows(), data.features.cols(),
                 task.classification ? "classification" : "regression", task.reason.c_str(),
                 task.classification ? (", " + std::to_string(d.class_names.size()) + " classes").c_str() : "",
                 shape.c_str(), model.parameters().size(), d.loss.name().c_str());
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<EpochStats> history;
  try {
    history = trainer.fit(train_set, val_set.get());
  } catch (const NumericError& e) {
    progress.finish();
    throw NumericError(data.source + ": " + e.what());
  } catch (...) {
    progress.finish();
    throw;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // How it was trained, kept in the model file.
  nlohmann::json t;
  t["data"] = data.source;
  t["rows"] = data.rows();
  t["optimizer"] = a.optimizer;
  t["lr"] = optimizer_lr(opt);
  t["batch_size"] = a.batch_size;
  t["epochs_requested"] = a.epochs;
  t["epochs_run"] = history.size();
  t["best_epoch"] = trainer.best_epoch();
  t["seed"] = a.seed;
  t["schedule"] = a.schedule;
  t["dtype"] = a.dtype;
  t["seconds"] = seconds;
  if (!history.empty()) {
    const EpochStats& best = history[trainer.best_epoch() - 1];
    t["train_loss"] = best.train_loss;
    if (!std::isnan(best.val_loss)) t["val_loss"] = best.val_loss;
    for (const auto& [name, value] : best.val_metrics) t["val_" + name] = value;
  }
  std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  t["date"] = date;
  d.training_json = t.dump();

  // The outputs, written together only now that training succeeded: all or none.
  std::vector<std::pair<std::string, std::string>> files = {{a.output, io::serialize_model(model, d)}};
  if (!a.history.empty()) files.emplace_back(a.history, history_csv(history));
  if (!a.plot.empty()) files.emplace_back(a.plot, history_plot(history, "training of " + a.output));
  io::write_files_atomic(files);

  if (!a.quiet && history.empty()) {
    std::fprintf(stderr, "no epochs run; saved the initial weights to %s\n", a.output.c_str());
  } else if (!a.quiet) {
    const EpochStats& best = history[trainer.best_epoch() - 1];
    std::string summary = "best epoch " + std::to_string(trainer.best_epoch()) + " of " + std::to_string(history.size());
    if (trainer.stopped_early()) summary += " (stopped early)";
    char buf[96];
    std::snprintf(buf, sizeof buf, ": train loss %.6g", best.train_loss);
    summary += buf;
    if (!std::isnan(best.val_loss)) {
      std::snprintf(buf, sizeof buf, ", val loss %.6g", best.val_loss);
      summary += buf;
    }
    for (const auto& [name, value] : best.val_metrics) {
      std::snprintf(buf, sizeof buf, ", val %s %.4g", name.c_str(), value);
      summary += buf;
    }
    std::snprintf(buf, sizeof buf, "; %.2f s", seconds);
    std::fprintf(stderr, "%s%s; saved %s\n", summary.c_str(), buf, a.output.c_str());
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train a model on a data file (CSV, NPY, IDX) and save it as safetensors");
  cmd->add_option("data", a->data.path, "Training data: CSV with a header, NPY, or IDX (plain or .gz)")->required();
  cmd->add_option("-o,--output", a->output, "Where to save the model (safetensors)")->required();
  cmd->add_option("--target", a->data.target, "CSV label column(s) by name or 0-based index, comma-separated (default: the last column)");
  cmd->add_option("--labels", a->data.labels, "Labels in a separate file (NPY or IDX data)");
  cmd->add_option("--delimiter", a->data.delimiter, "CSV field separator")->capture_default_str();
  cmd->add_option("--task", a->task, "regression or classification (default: inferred from the labels)");
  cmd->add_option("--hidden", a->hidden, "Hidden layer widths, comma-separated; 0 for none")
      ->capture_default_str()
      ->each([a](const std::string&) { a->hidden_given = true; });
  cmd->add_option("--activation", a->activation, "Hidden activation: one name, or one per layer")->capture_default_str();
  cmd->add_option("--output-activation", a->output_activation, "Output activation (default: identity; log_softmax for nll, sigmoid for bce)");
  cmd->add_option("--loss", a->loss, "mse, mae, huber, smooth_l1 (regression); cross_entropy, nll, bce, bce_with_logits (default: mse, cross_entropy, or bce_with_logits for two classes)");
  cmd->add_option("--optimizer", a->optimizer, "sgd, adam, adamw, rmsprop, adagrad")->capture_default_str();
  cmd->add_option("--lr", a->lr, "Learning rate (default: the optimizer's, as PyTorch: adam 0.001, sgd 0.01)");
  cmd->add_option("--momentum", a->momentum, "Momentum (sgd, rmsprop)")->capture_default_str();
  cmd->add_flag("--nesterov", a->nesterov, "Nesterov momentum (sgd)");
  cmd->add_option("--weight-decay", a->weight_decay, "Weight decay (default: the optimizer's: 0, adamw 0.01)");
  cmd->add_option("--dropout", a->dropout, "Dropout after each hidden layer, in [0, 1)")->capture_default_str();
  cmd->add_flag("--batch-norm", a->batch_norm, "Batch normalization before each hidden activation");
  cmd->add_option("--schedule", a->schedule, "Learning-rate schedule: none, step, multistep, exponential, cosine, onecycle, plateau, with settings as NAME:key=value,... (e.g. step:step_size=10,gamma=0.5)")->capture_default_str();
  cmd->add_option("--warmup", a->warmup, "Epochs of linear learning-rate warm-up")->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Rows per batch")->capture_default_str();
  cmd->add_option("--epochs", a->epochs, "Epochs (at most)")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed for initialization, shuffling, the validation split and dropout")->capture_default_str();
  cmd->add_flag("--no-shuffle", a->no_shuffle, "Keep the rows in file order (no shuffle each epoch)");
  cmd->add_option("--val", a->val, "Validation data file (same format as the training data)");
  cmd->add_option("--val-labels", a->val_labels, "Labels of the validation data (NPY or IDX)");
  cmd->add_option("--val-split", a->val_split, "Hold out this fraction of the training rows for validation (default: 0.1 for regression, 0 for classification)");
  cmd->add_option("--early-stopping", a->early_stopping, "Stop after this many epochs without improvement of the validation loss (the training loss without validation) and keep the best weights; 0: off")->capture_default_str();
  cmd->add_option("--scale", a->scale, "Feature scaling: none, standard, minmax (regression targets are standardized unless none)")->capture_default_str();
  cmd->add_option("--init", a->init_file, "Start from the weights in this safetensors file");
  cmd->add_option("--initializer", a->init, "Weight initializer: default, xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, lecun_normal, orthogonal, zeros, constant:V")->capture_default_str();
  cmd->add_option("--dtype", a->dtype, "f32 or f64")->capture_default_str();
  add_threads_option(cmd, a->threads);
  cmd->add_option("--clip-norm", a->clip_norm, "Clip the gradient norm to this value; 0: off")->capture_default_str();
  cmd->add_option("--history", a->history, "Write one CSV row per epoch (epoch, seconds, lr, losses, metrics)");
  cmd->add_option("--plot", a->plot, "Draw the loss and metric curves into this SVG file");
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing while training");
  cmd->callback([a]() {
    if (a->dtype == "f32")
      train<float>(*a);
    else if (a->dtype == "f64")
      train<double>(*a);
    else
      throw InvalidArgument("unknown --dtype '" + a->dtype + "'; valid: f32, f64");
  });
}

}  // namespace mlp::cli
