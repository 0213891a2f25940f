// The training loop: batches in order or shuffled, each through the separate stages
// forward -> loss -> backward -> reduce -> clip -> step; per-epoch validation, schedules,
// early stopping and callbacks.
#include "mlp/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <span>
#include <string>

#include "mlp/clip.h"
#include "mlp/error.h"
#include "mlp/metrics.h"

namespace mlp {

Task task_for_loss(const Loss& loss) {
  switch (loss.kind) {
    case LossKind::cross_entropy:
    case LossKind::nll: return Task::multiclass;
    case LossKind::bce:
    case LossKind::bce_with_logits: return Task::binary;
    default: return Task::regression;
  }
}

bool monitor_maximizes(const std::string& monitor, Task task) {
  static const std::vector<std::string> regression = {"mse", "rmse", "mae", "r2"};
  static const std::vector<std::string> classification = {"accuracy", "top5_accuracy", "precision", "recall", "f1", "log_loss"};
  if (monitor == "val_loss" || monitor == "loss") return false;
  const auto& names = task == Task::regression ? regression : classification;
  if (monitor.starts_with("val_") && std::find(names.begin(), names.end(), monitor.substr(4)) != names.end())
    return monitor != "val_mse" && monitor != "val_rmse" && monitor != "val_mae" && monitor != "val_log_loss";
  std::string valid = "loss, val_loss";
  for (const auto& n : names) valid += ", val_" + n;
  throw InvalidArgument("cannot monitor '" + monitor + "' in " +
                        (task == Task::regression ? "regression" : "classification") + "; valid: " + valid);
}

namespace {

constexpr std::size_t kEvalChunk = 4096;  // rows per forward pass when evaluating

// Runs the model in evaluation mode over `data`, kEvalChunk rows at a time, calling
// fn(first_row, rows, outputs, targets) for each chunk; the model's mode is restored.
template <typename T, typename Fn>
void for_each_chunk(Model<T>& model, const Dataset<T>& data, Fn fn) {
  const std::size_t rows = data.rows();
  std::vector<std::size_t> index(std::min(kEvalChunk, rows));
  Matrix<T> x(index.size(), data.features()), y(index.size(), data.targets());
  bool was_training = model.training();
  model.set_training(false);
  try {
    for (std::size_t i = 0; i < rows; i += kEvalChunk) {
      const std::size_t B = std::min(kEvalChunk, rows - i);
      for (std::size_t r = 0; r < B; ++r) index[r] = i + r;
      data.gather(index.data(), B, x.data(), y.data());
      fn(i, B, model.forward(x.data(), B), y);
    }
  } catch (...) {
    model.set_training(was_training);
    throw;
  }
  model.set_training(was_training);
}

}  // namespace

template <typename T>
Trainer<T>::Trainer(Model<T>& model, Loss loss, OptimizerOptions optimizer, TrainOptions options)
    : model_(model),
      loss_(loss),
      task_(task_for_loss(loss)),
      optimizer_(make_optimizer<T>(optimizer)),
      base_lr_(optimizer_lr(optimizer)),
      options_(std::move(options)),
      scheduler_(options_.schedule, options_.warmup),
      rng_(options_.seed) {
  if (options_.batch_size == 0) throw InvalidArgument("trainer: batch size must be at least 1");
  if (!(options_.validation_split >= 0 && options_.validation_split < 1))
    throw InvalidArgument("trainer: validation split must be in [0, 1), got " +
                          std::to_string(options_.validation_split));
  if (!(options_.clip_grad_norm >= 0) || !(options_.clip_grad_value >= 0))
    throw InvalidArgument("trainer: gradient clipping limits must be >= 0");
  if (!(options_.min_delta >= 0)) throw InvalidArgument("trainer: min_delta must be >= 0");
  monitor_maximizes(options_.monitor, task_);  // validates the name
  if (task_ == Task::multiclass && model_.config().output.kind != ActivationKind::identity &&
      loss_.kind == LossKind::cross_entropy)
    throw InvalidArgument("trainer: cross_entropy takes logits; use the identity output activation (got " +
                          model_.config().output.name() + ")");
}

template <typename T>
void Trainer<T>::check_data(const char* what, const Dataset<T>& data) const {
  std::string w = what;
  if (data.features() != model_.inputs())
    throw ShapeError(w + ": expected " + std::to_string(model_.inputs()) + " features, got " +
                     std::to_string(data.features()));
  std::size_t want = loss_.class_targets() ? 1 : model_.outputs();
  if (data.targets() != want)
    throw ShapeError(w + ": " + std::to_string(data.targets()) + " target columns, expected " + std::to_string(want) +
                     (loss_.class_targets() ? " (one class index per row)" : " (one per model output)"));
  if (data.rows() == 0) throw InvalidArgument(w + ": no rows");
}

template <typename T>
double Trainer<T>::train_step(const T* x, const T* y, std::size_t B) {
  const std::size_t out = model_.outputs();
  auto where = [&]() {
    return " at epoch " + std::to_string(epoch_) + ", batch " + std::to_string(batch_index_) +
           " (try a smaller learning rate, gradient clipping or scaled inputs)";
  };
  // 1. forward, 2. loss
  const Matrix<T>& p = model_.forward(x, B);
  double loss = loss_forward(loss_, p.data(), y, B, out);
  if (!std::isfinite(loss)) throw NumericError("training diverged: loss is " + std::to_string(loss) + where());
  // 3. gradients
  dout_.resize(B, out);
  loss_backward(loss_, dout_.data(), p.data(), y, B, out);
  model_.zero_grad();
  model_.backward(dout_.data());
  std::span<T> grads = model_.gradients();
  // 4. reduction across workers (a hook), 5. clipping
  if (reduce_gradients) reduce_gradients(grads.data(), grads.size());
  if (options_.clip_grad_norm > 0) clip_grad_norm(grads.data(), grads.size(), options_.clip_grad_norm);
  if (options_.clip_grad_value > 0) clip_grad_value(grads.data(), grads.size(), options_.clip_grad_value);
  if (!all_finite(grads.data(), grads.size())) throw NumericError("training diverged: non-finite gradient" + where());
  // 6. the optimizer step
  std::span<T> params = model_.parameters();
  optimizer_->step(params.data(), grads.data(), params.size());
  return loss;
}

template <typename T>
std::vector<EpochStats> Trainer<T>::fit(const Matrix<T>& x, const Matrix<T>& y, const Matrix<T>* val_x,
                                        const Matrix<T>* val_y) {
  if ((val_x == nullptr) != (val_y == nullptr))
    throw InvalidArgument("fit: validation needs both inputs and targets");
  MatrixDataset<T> train(x, y);
  if (!val_x) return fit(train, nullptr);
  MatrixDataset<T> validation(*val_x, *val_y);
  return fit(train, &validation);
}

template <typename T>
std::vector<EpochStats> Trainer<T>::fit(const Dataset<T>& train, const Dataset<T>* validation) {
  check_data("training data", train);
  if (validation) {
    check_data("validation data", *validation);
    return fit_split(train, validation);
  }
  if (options_.validation_split > 0) {
    // A seeded random hold-out: the last rows of a permutation, each part kept in file order.
    const std::size_t n = train.rows();
    const auto n_train = static_cast<std::size_t>(static_cast<double>(n) * (1 - options_.validation_split));
    if (n_train == 0 || n_train == n)
      throw InvalidArgument("fit: a validation split of " + std::to_string(options_.validation_split) + " of " +
                            std::to_string(n) + " rows leaves no training or no validation rows");
    Random split_rng(options_.seed);
    std::vector<std::size_t> order = split_rng.permutation(n);
    std::vector<std::size_t> train_rows(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train));
    std::vector<std::size_t> val_rows(order.begin() + static_cast<std::ptrdiff_t>(n_train), order.end());
    std::sort(train_rows.begin(), train_rows.end());
    std::sort(val_rows.begin(), val_rows.end());
    SubsetDataset<T> train_part(train, std::move(train_rows)), val_part(train, std::move(val_rows));
    return fit_split(train_part, &val_part);
  }
  return fit_split(train, nullptr);
}

template <typename T>
std::vector<EpochStats> Trainer<T>::fit_split(const Dataset<T>& train, const Dataset<T>* validation) {
  const std::size_t n = train.rows(), bs = options_.batch_size;
  const std::size_t batches = (n + bs - 1) / bs;
  model_.dropout_rng().seed(options_.seed + 1);
  scheduler_.start(base_lr_, optimizer_->has_momentum() ? std::optional<double>(optimizer_->momentum())
                                                        : std::nullopt);
  auto apply_schedule = [&]() {
    optimizer_->set_lr(scheduler_.lr());
    if (auto m = scheduler_.momentum(); m && optimizer_->has_momentum()) optimizer_->set_momentum(*m);
  };
  apply_schedule();

  std::vector<EpochStats> history;
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::vector<T> best_params, best_buffers;
  double best_metric = std::numeric_limits<double>::infinity();
  std::size_t bad_epochs = 0;
  const bool maximize = monitor_maximizes(options_.monitor, task_);
  if (!validation && options_.monitor.starts_with("val_") && options_.monitor != "val_loss")
    throw InvalidArgument("cannot monitor '" + options_.monitor +
                          "' without validation data (give a validation set or split)");
  best_epoch_ = 0;
  stopped_early_ = false;
  model_.set_training(true);
  batch_x_.resize(std::min(bs, n), train.features());
  batch_y_.resize(std::min(bs, n), train.targets());

  for (std::size_t e = 0; e < options_.epochs; ++e) {
    auto start = std::chrono::steady_clock::now();
    epoch_ = e + 1;
    EpochStats stats;
    stats.epoch = e + 1;
    stats.lr = optimizer_->lr();
    if (options_.shuffle) order = rng_.permutation(n);
    double total = 0;
    for (std::size_t i = 0, b = 0; i < n; i += bs, ++b) {
      batch_index_ = b + 1;
      const std::size_t B = std::min(bs, n - i);
      train.gather(order.data() + i, B, batch_x_.data(), batch_y_.data());
      double loss = train_step(batch_x_.data(), batch_y_.data(), B);
      total += loss * static_cast<double>(B);
      const bool last_step = e + 1 == options_.epochs && i + B >= n;  // a step after it would go unused
      if (scheduler_.per_batch() && !last_step) {
        scheduler_.step();
        apply_schedule();
      }
      if (on_batch_end) on_batch_end(BatchStats{e + 1, b + 1, batches, loss, B});
    }
    stats.train_loss = total / static_cast<double>(n);
    stats.val_loss = std::numeric_limits<double>::quiet_NaN();
    if (validation) {
      Evaluation ev = evaluate_metrics(*validation);
      stats.val_loss = ev.loss;
      stats.val_metrics = std::move(ev.metrics);
    }
    const double loss_monitored = validation ? stats.val_loss : stats.train_loss;
    if (!scheduler_.per_batch()) {
      scheduler_.step(loss_monitored);
      apply_schedule();
    }
    // The monitored quantity, as a number to minimize.
    double monitored = std::numeric_limits<double>::quiet_NaN();
    if (options_.monitor == "loss")
      monitored = stats.train_loss;
    else if (options_.monitor == "val_loss")
      monitored = loss_monitored;
    else
      for (const auto& [name, value] : stats.val_metrics)
        if (options_.monitor.compare(4, std::string::npos, name) == 0) monitored = maximize ? -value : value;
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    history.push_back(stats);

    bool keep_going = true;
    const bool significant = best_epoch_ == 0 || monitored < best_metric - options_.min_delta;  // false for NaN
    const bool better = best_epoch_ == 0 || monitored < best_metric;
    if (options_.min_delta_from_best_seen ? better : significant) {
      best_metric = monitored;
      best_epoch_ = e + 1;
      if (options_.early_stopping_patience > 0 && options_.restore_best_weights) {
        best_params.assign(model_.parameters().begin(), model_.parameters().end());
        best_buffers.assign(model_.buffers().begin(), model_.buffers().end());
      }
    }
    if (significant) {
      bad_epochs = 0;
    } else if (options_.early_stopping_patience > 0 && ++bad_epochs >= options_.early_stopping_patience) {
      stopped_early_ = true;
      keep_going = false;
    }
    if (on_epoch_end && !on_epoch_end(stats)) keep_going = false;
    if (!keep_going) break;
  }
  if (options_.early_stopping_patience > 0 && options_.restore_best_weights && !best_params.empty()) {
    std::copy(best_params.begin(), best_params.end(), model_.parameters().begin());
    std::copy(best_buffers.begin(), best_buffers.end(), model_.buffers().begin());
  } else {
    best_epoch_ = history.size();
  }
  return history;
}

template <typename T>
double Trainer<T>::run_eval(const Dataset<T>& data, Matrix<T>* outputs, Matrix<T>* targets) {
  check_data("evaluation data", data);
  const std::size_t out = model_.outputs(), tcols = data.targets();
  if (outputs) outputs->resize(data.rows(), out);
  if (targets) targets->resize(data.rows(), tcols);
  double total = 0;
  for_each_chunk(model_, data, [&](std::size_t first, std::size_t B, const Matrix<T>& p, const Matrix<T>& y) {
    total += loss_forward(loss_, p.data(), y.data(), B, out) * static_cast<double>(B);
    if (outputs) std::copy(p.data(), p.data() + B * out, outputs->row(first));
    if (targets) std::copy(y.data(), y.data() + B * tcols, targets->row(first));
  });
  return total / static_cast<double>(data.rows());
}

template <typename T>
double Trainer<T>::evaluate(const Dataset<T>& data) {
  return run_eval(data, nullptr, nullptr);
}

template <typename T>
double Trainer<T>::evaluate(const Matrix<T>& x, const Matrix<T>& y) {
  return evaluate(MatrixDataset<T>(x, y));
}

template <typename T>
Evaluation Trainer<T>::evaluate_metrics(const Matrix<T>& x, const Matrix<T>& y) {
  return evaluate_metrics(MatrixDataset<T>(x, y));
}

template <typename T>
Evaluation Trainer<T>::evaluate_metrics(const Dataset<T>& data) {
  Matrix<T> probs, y;
  Evaluation ev;
  ev.loss = run_eval(data, &probs, &y);
  const std::size_t rows = probs.rows(), out = probs.cols();
  if (!std::isfinite(ev.loss)) return ev;  // a diverged model: the loss says it all
  if (task_ == Task::regression) {
    const auto& offset = options_.target_offset;
    const auto& scale = options_.target_scale;
    if (!offset.empty())
      for (std::size_t i = 0; i < probs.size(); ++i) {
        probs.data()[i] = static_cast<T>(probs.data()[i] * scale[i % out] + offset[i % out]);
        y.data()[i] = static_cast<T>(y.data()[i] * scale[i % out] + offset[i % out]);
      }
    RegressionMetrics m = regression_metrics(probs.data(), y.data(), rows, out);
    ev.metrics = {{"mse", m.mse}, {"rmse", m.rmse}, {"mae", m.mae}, {"r2", m.r2}};
    return ev;
  }
  // Turn the outputs into class probabilities.
  loss_probabilities(loss_, probs.data(), probs.data(), rows, out);
  if (task_ == Task::binary) {
    if (out != 1) return ev;  // several independent binary outputs: the loss only
    for (std::size_t i = 0; i < rows; ++i)
      if (y.data()[i] != T(0) && y.data()[i] != T(1)) return ev;  // soft labels: the loss only
  }
  ClassificationMetrics m = classification_metrics(probs.data(), y.data(), rows, out, 5);
  ev.metrics = {{"accuracy", m.accuracy}};
  if (m.classes > 5) ev.metrics.emplace_back("top5_accuracy", m.top_k_accuracy);
  ev.metrics.insert(ev.metrics.end(), {{"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1},
                                       {"log_loss", m.log_loss}});
  return ev;
}

template <typename T>
Matrix<T> predict(Model<T>& model, const Dataset<T>& data) {
  if (data.features() != model.inputs())
    throw ShapeError("predict: expected " + std::to_string(model.inputs()) + " features, got " +
                     std::to_string(data.features()));
  const std::size_t out = model.outputs();
  Matrix<T> result(data.rows(), out);
  for_each_chunk(model, data, [&](std::size_t first, std::size_t B, const Matrix<T>& p, const Matrix<T>&) {
    std::copy(p.data(), p.data() + B * out, result.row(first));
  });
  return result;
}

template Matrix<float> predict<float>(Model<float>&, const Dataset<float>&);
template Matrix<double> predict<double>(Model<double>&, const Dataset<double>&);

template class Trainer<float>;
template class Trainer<double>;

}  // namespace mlp
