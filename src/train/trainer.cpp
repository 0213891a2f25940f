// The training loop: batches in order or shuffled, each through the separate stages
// forward -> loss -> backward -> reduce -> clip -> step; per-epoch validation, schedules,
// early stopping and callbacks.
#include "mlp/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <span>
#include <string>

#include "train/data_parallel.h"
#include "mlp/train/clip.h"
#include "mlp/core/error.h"
#include "core/format.h"
#include "mlp/train/metrics.h"

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
// Data-parallel evaluation: rows per forward pass, whatever the number of processes (so that
// deterministic training validates the same way on any number), shared out in runs of chunks.
constexpr std::size_t kShareChunk = 1024;

// Runs the model in evaluation mode over rows [begin, end) of `data`, `chunk` rows at a time,
// calling fn(first_row, rows, outputs, targets) for each chunk; the model's mode is restored.
template <typename T, typename Fn>
void for_each_chunk(Model<T>& model, const Dataset<T>& data, std::size_t begin, std::size_t end, std::size_t chunk, Fn fn) {
  std::vector<std::size_t> index(std::min(chunk, end - begin));
  Matrix<T> x(index.size(), data.features()), y(index.size(), data.targets());
  bool was_training = model.training();
  model.set_training(false);
  try {
    for (std::size_t i = begin; i < end; i += chunk) {
      const std::size_t B = std::min(chunk, end - i);
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

template <typename T, typename Fn>
void for_each_chunk(Model<T>& model, const Dataset<T>& data, Fn fn) {
  for_each_chunk(model, data, 0, data.rows(), kEvalChunk, fn);
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
Trainer<T>::~Trainer() = default;

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
std::string Trainer<T>::where() const {
  return " at epoch " + std::to_string(epoch_) + ", batch " + std::to_string(batch_index_) +
         " (try a smaller learning rate, gradient clipping or scaled inputs)";
}

template <typename T>
double Trainer<T>::train_step(const T* x, const T* y, std::size_t B) {
  const std::size_t out = model_.outputs();
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
  // 4. reduction across workers (a hook)
  if (reduce_gradients) reduce_gradients(grads.data(), grads.size());
  // 5. clipping, 6. the optimizer step
  clip_check_step();
  return loss;
}

template <typename T>
void Trainer<T>::clip_check_step() {
  std::span<T> grads = model_.gradients();
  if (options_.clip_grad_norm > 0) clip_grad_norm(grads.data(), grads.size(), options_.clip_grad_norm);
  if (options_.clip_grad_value > 0) clip_grad_value(grads.data(), grads.size(), options_.clip_grad_value);
  if (!all_finite(grads.data(), grads.size())) throw NumericError("training diverged: non-finite gradient" + where());
  std::span<T> params = model_.parameters();
  optimizer_->step(params.data(), grads.data(), params.size());
}

template <typename T>
void Trainer<T>::fail_together(const Failure& failure) {
  comm().agree(failure);  // every process has this same failure: this makes it the agreed one
  failure.raise();
}

template <typename T>
double Trainer<T>::parallel_step(const Dataset<T>& data, const std::size_t* rows, std::size_t B) {
  // 1.-3. this process's share of the batch: forward, loss, backward (each layer's sum across
  // the processes starts as soon as backward has it; a local error waits for the sums)
  parallel_->compute(data, rows, B, pending_);
  // 4. the sums completed (every process throws if any had an error), then the hook
  const double loss = parallel_->reduce(pending_);
  // From here on every process holds the same numbers, so they all fail at the same point.
  if (!std::isfinite(loss))
    fail_together({ErrorCode::numeric, "training diverged: loss is " + std::to_string(loss) + where()});
  std::span<T> grads = model_.gradients();
  if (reduce_gradients) reduce_gradients(grads.data(), grads.size());
  // 5. clipping, 6. the optimizer step
  try {
    clip_check_step();
  } catch (const NumericError&) {
    fail_together(Failure::from(std::current_exception()));
  }
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
  std::unique_ptr<SubsetDataset<T>> train_part, val_part;
  auto prepare = [&]() {
    check_data("training data", train);
    if (validation) check_data("validation data", *validation);
    if (parallel()) {
      const std::size_t n = static_cast<std::size_t>(comm().size());
      if (model_.config().batch_norm)
        throw InvalidArgument("batch normalization is not supported in data-parallel or deterministic training "
                              "(its batch statistics would differ from process to process)");
      if (options_.deterministic &&
          (options_.micro_batches == 0 || (n & (n - 1)) != 0 || options_.micro_batches % n != 0))
        throw InvalidArgument("deterministic training needs a power-of-two number of processes that divides the "
                              "micro-batches per batch (" + std::to_string(options_.micro_batches) + "); got " +
                              std::to_string(n) + " processes");
    }
    if (!validation && options_.validation_split == 0 && options_.monitor.starts_with("val_") &&
        options_.monitor != "val_loss")
      throw InvalidArgument("cannot monitor '" + options_.monitor +
                            "' without validation data (give a validation set or split)");
    if (validation || options_.validation_split == 0) return;
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
    train_part = std::make_unique<SubsetDataset<T>>(train, std::move(train_rows));
    val_part = std::make_unique<SubsetDataset<T>>(train, std::move(val_rows));
  };
  // Data-parallel, every process arrives here or has failed before (Pipeline::fit's preparation
  // agrees on its errors at this point): this is the first collective step.
  if (parallel())
    collectively(comm(), prepare);
  else
    prepare();
  if (train_part) return fit_split(*train_part, val_part.get());
  return fit_split(train, validation);
}

template <typename T>
void Trainer<T>::start_parallel(const Dataset<T>& train, const Dataset<T>* validation) {
  // Every process must train on the same data with the same settings; they compare them.
  const std::pair<const char*, double> mine[] = {
      {"training rows", static_cast<double>(train.rows())},
      {"features", static_cast<double>(train.features())},
      {"target columns", static_cast<double>(train.targets())},
      {"validation rows", validation ? static_cast<double>(validation->rows()) : 0.0},
      {"parameters", static_cast<double>(model_.parameters().size())},
      {"batch size", static_cast<double>(options_.batch_size)},
      {"epochs", static_cast<double>(options_.epochs)},
      {"seed", static_cast<double>(options_.seed)},
      {"shuffle", options_.shuffle ? 1.0 : 0.0},
      {"deterministic", options_.deterministic ? 1.0 : 0.0},
      {"micro-batches", static_cast<double>(options_.micro_batches)},
  };
  constexpr std::size_t k = std::size(mine);
  std::vector<double> values(k), all(k * static_cast<std::size_t>(comm().size()));
  for (std::size_t i = 0; i < k; ++i) values[i] = mine[i].second;
  comm().allgather(all.data(), values.data(), k);
  for (std::size_t r = 1; r < static_cast<std::size_t>(comm().size()); ++r)
    for (std::size_t i = 0; i < k; ++i)
      if (all[r * k + i] != all[i])
        fail_together({ErrorCode::invalid_argument,
                       "data-parallel training: process " + std::to_string(r) + " has " + format_short(all[r * k + i]) +
                           " " + mine[i].first + ", process 0 has " + format_short(all[i]) +
                           "; every process must read the same data with the same options"});
  // Dropout masks: each process its own stream (process 0 the one training alone uses); the
  // deterministic path seeds every micro-batch instead.
  model_.dropout_rng().seed(options_.seed + 1 + 7919u * static_cast<std::uint32_t>(comm().rank()));
  // Everyone starts from process 0's weights (and batch-norm buffers).
  std::span<T> params = model_.parameters(), buffers = model_.buffers();
  comm().broadcast(params.data(), params.size() * sizeof(T), 0);
  if (!buffers.empty()) comm().broadcast(buffers.data(), buffers.size() * sizeof(T), 0);
  parallel_ = std::make_unique<DataParallel<T>>(model_, loss_, comm(), options_, std::min(options_.batch_size, train.rows()),
                                                train.features(), train.targets());
}

template <typename T>
void Trainer<T>::resume_from(TrainState<T> state) {
  const std::size_t params = model_.parameters().size(), buffers = model_.buffers().size();
  auto bad = [](const std::string& what) { throw InvalidArgument("resume: " + what); };
  if (!state.best_params.empty() && state.best_params.size() != params)
    bad("the best weights hold " + std::to_string(state.best_params.size()) + " values, the model has " +
        std::to_string(params) + " parameters");
  if (!state.best_buffers.empty() && state.best_buffers.size() != buffers)
    bad("the best buffers hold " + std::to_string(state.best_buffers.size()) + " values, the model has " +
        std::to_string(buffers));
  if (state.history.size() != state.epochs_done || state.best_epoch > state.epochs_done)
    bad("the state's history (" + std::to_string(state.history.size()) + " epochs) does not match its " +
        std::to_string(state.epochs_done) + " epochs done");
  Random check;
  check.set_state(state.shuffle_rng);
  check.set_state(state.dropout_rng);
  optimizer_->set_state(state.optimizer);  // checks it first
  resume_ = std::move(state);
}

template <typename T>
TrainState<T> Trainer<T>::state() const {
  TrainState<T> s;
  s.epochs_done = epochs_done_;
  s.batches_done = batches_done_;
  s.loss_sum = loss_sum_;
  s.epoch_lr = epoch_lr_;
  s.epoch_seconds = epoch_seconds_;
  s.finished = stopped_early_;
  // In an epoch, the generator as it was before the epoch's shuffle (resuming shuffles again).
  s.shuffle_rng = batches_done_ > 0 ? epoch_rng_ : rng_.state();
  s.dropout_rng = model_.dropout_rng().state();
  s.optimizer = optimizer_->state();
  s.scheduler = scheduler_.state();
  s.best_params = best_params_;
  s.best_buffers = best_buffers_;
  s.best_metric = best_metric_;
  s.best_epoch = best_epoch_;
  s.bad_epochs = bad_epochs_;
  s.history = history_;
  return s;
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
  std::optional<TrainState<T>> resume = std::move(resume_);
  resume_.reset();
  if (!resume) apply_schedule();  // a resumed optimizer has its own lr and momentum

  // The epoch's row order, 4 bytes a row (a million-row file's order is 4 MB), and the current
  // batch's rows as the datasets take them.
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw InvalidArgument("fit: " + std::to_string(n) + " rows; at most 4294967295 train in one fit");
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  std::vector<std::size_t> rows(std::min(bs, n));
  const bool maximize = monitor_maximizes(options_.monitor, task_);
  epochs_done_ = batches_done_ = bad_epochs_ = 0;
  loss_sum_ = epoch_seconds_ = 0;
  best_metric_ = std::numeric_limits<double>::infinity();
  best_params_.clear();
  best_buffers_.clear();
  history_.clear();
  best_epoch_ = 0;
  stopped_early_ = interrupted_ = false;
  model_.set_training(true);
  batch_x_.resize(std::min(bs, n), train.features());
  batch_y_.resize(std::min(bs, n), train.targets());
  // Data-parallel: the processes compare their data, take process 0's weights and set up the sums;
  // all of it goes when fit ends, however it ends.
  struct EndParallel {
    Trainer& t;
    ~EndParallel() {
      t.parallel_.reset();
      t.pending_ = nullptr;
    }
  } end_parallel{*this};
  pending_ = nullptr;
  if (parallel()) start_parallel(train, validation);
  if (resume) {
    if (resume->batches_done > batches)
      throw InvalidArgument("resume: the state is at batch " + std::to_string(resume->batches_done) +
                            " of an epoch, but the data makes " + std::to_string(batches) + " batches per epoch");
    TrainState<T>& r = *resume;
    epochs_done_ = r.epochs_done;
    batches_done_ = r.batches_done;
    loss_sum_ = r.loss_sum;
    epoch_lr_ = r.epoch_lr;
    epoch_seconds_ = r.epoch_seconds;
    stopped_early_ = r.finished;
    epoch_rng_ = r.shuffle_rng;
    rng_.set_state(r.shuffle_rng);
    // Data-parallel, each process's dropout stream starts afresh; deterministic training seeds
    // every micro-batch by its global step, so it resumes exactly.
    if (!parallel_) model_.dropout_rng().set_state(r.dropout_rng);
    if (parallel_) parallel_->set_steps(r.epochs_done * batches + r.batches_done);
    scheduler_.restore(r.scheduler);
    best_params_ = std::move(r.best_params);
    best_buffers_ = std::move(r.best_buffers);
    best_metric_ = r.best_metric;
    best_epoch_ = r.best_epoch;
    bad_epochs_ = r.bad_epochs;
    history_ = std::move(r.history);
  }

  for (std::size_t e = epochs_done_; e < options_.epochs && !stopped_early_; ++e) {
    auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    epoch_ = e + 1;
    if (batches_done_ == 0) {  // a new epoch (not one resumed in its middle)
      epoch_rng_ = rng_.state();
      epoch_lr_ = optimizer_->lr();
      loss_sum_ = epoch_seconds_ = 0;
    }
    if (options_.shuffle) {  // rng_.permutation(n), in place (the same swaps whatever the type)
      std::iota(order.begin(), order.end(), std::uint32_t{0});
      rng_.shuffle(order);
    }
    double total = loss_sum_;
    for (std::size_t b = batches_done_, i = b * bs; i < n; i += bs, ++b) {
      batch_index_ = b + 1;
      const std::size_t B = std::min(bs, n - i);
      double loss = 0;
      std::copy_n(order.begin() + static_cast<std::ptrdiff_t>(i), B, rows.begin());
      if (parallel_) {
        loss = parallel_step(train, rows.data(), B);
      } else {
        train.gather(rows.data(), B, batch_x_.data(), batch_y_.data());
        loss = train_step(batch_x_.data(), batch_y_.data(), B);
      }
      total += loss * static_cast<double>(B);
      const bool last_step = e + 1 == options_.epochs && i + B >= n;  // a step after it would go unused
      if (scheduler_.per_batch() && !last_step) {
        scheduler_.step();
        apply_schedule();
      }
      if (on_batch_end) {
        if (!parallel_) {
          on_batch_end(BatchStats{e + 1, b + 1, batches, loss, B});
        } else if (!pending_) {
          try {  // an error here stops every process at the next sum (or at the epoch's end)
            on_batch_end(BatchStats{e + 1, b + 1, batches, loss, B});
          } catch (...) {
            pending_ = std::current_exception();
          }
        }
      }
      if (!parallel_ && should_stop && should_stop()) {
        batches_done_ = b + 1;
        loss_sum_ = total;
        epoch_seconds_ += elapsed();
        interrupted_ = true;
        checkpoint();
        break;
      }
    }
    if (interrupted_) break;
    batches_done_ = 0;
    EpochStats stats;
    stats.epoch = e + 1;
    stats.lr = epoch_lr_;
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
    stats.seconds = epoch_seconds_ + elapsed();
    if (parallel_) stats.wait_seconds = parallel_->take_wait_seconds();
    history_.push_back(stats);
    epochs_done_ = e + 1;

    bool keep_going = true;
    const bool significant = best_epoch_ == 0 || monitored < best_metric_ - options_.min_delta;  // false for NaN
    const bool better = best_epoch_ == 0 || monitored < best_metric_;
    if (options_.min_delta_from_best_seen ? better : significant) {
      best_metric_ = monitored;
      best_epoch_ = e + 1;
      if (options_.early_stopping_patience > 0 && options_.restore_best_weights) {
        best_params_.assign(model_.parameters().begin(), model_.parameters().end());
        best_buffers_.assign(model_.buffers().begin(), model_.buffers().end());
      }
    }
    if (significant) {
      bad_epochs_ = 0;
    } else if (options_.early_stopping_patience > 0 && ++bad_epochs_ >= options_.early_stopping_patience) {
      stopped_early_ = true;
      keep_going = false;
    }
    // A checkpoint every checkpoint_every epochs and at the end of training.
    auto due = [&] {
      return epochs_done_ % std::max<std::size_t>(options_.checkpoint_every, 1) == 0 || epochs_done_ == options_.epochs ||
             !keep_going || interrupted_;
    };
    if (!parallel_) {
      if (on_epoch_end && !on_epoch_end(stats)) keep_going = false;
      if (due()) checkpoint();
    } else {
      // Every process learns whether any had an error or wants to stop, and they act alike.
      bool stop = false, saved = false;
      if (!pending_) {
        try {
          if (on_epoch_end && !on_epoch_end(stats)) keep_going = false;
          stop = should_stop && should_stop();
          if ((saved = due() || stop)) checkpoint();
        } catch (...) {
          pending_ = std::current_exception();
        }
      }
      double flags[3] = {pending_ ? 1.0 : 0.0, keep_going ? 0.0 : 1.0, stop ? 1.0 : 0.0};
      comm().allreduce_sum(flags, 3);
      if (flags[0] > 0) {
        const std::exception_ptr mine = pending_;
        pending_ = nullptr;
        throw_if_any_failed(comm(), mine);
      }
      keep_going = flags[1] == 0;
      if (flags[2] > 0) {
        interrupted_ = true;
        if (!saved) checkpoint();  // another process was asked to stop
      }
    }
    if (!keep_going || interrupted_) break;
  }
  if (options_.early_stopping_patience > 0 && options_.restore_best_weights && !best_params_.empty()) {
    std::copy(best_params_.begin(), best_params_.end(), model_.parameters().begin());
    std::copy(best_buffers_.begin(), best_buffers_.end(), model_.buffers().begin());
  } else {
    best_epoch_ = history_.size();
  }
  return history_;
}

template <typename T>
double Trainer<T>::run_eval(const Dataset<T>& data, Matrix<T>* outputs, Matrix<T>* targets) {
  if (parallel()) return run_eval_parallel(data, outputs, targets);
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
double Trainer<T>::run_eval_parallel(const Dataset<T>& data, Matrix<T>* outputs, Matrix<T>* targets) {
  Communicator& c = comm();
  const std::size_t rows = data.rows(), out = model_.outputs(), tcols = data.targets();
  const auto N = static_cast<std::size_t>(c.size()), r = static_cast<std::size_t>(c.rank());
  // This process's run of chunks: its outputs and targets go into matrices of zeros, which the
  // sums over all processes fill (adding zeros changes nothing).
  Matrix<T> p(rows, out), y(rows, tcols);
  const std::size_t chunks = (rows + kShareChunk - 1) / kShareChunk;
  const std::size_t begin = std::min(rows, chunks * r / N * kShareChunk);
  const std::size_t end = std::min(rows, chunks * (r + 1) / N * kShareChunk);
  collectively(c, [&] {
    check_data("evaluation data", data);
    if (end > begin)
      for_each_chunk(model_, data, begin, end, kShareChunk,
                     [&](std::size_t first, std::size_t B, const Matrix<T>& po, const Matrix<T>& yo) {
                       std::copy(po.data(), po.data() + B * out, p.row(first));
                       std::copy(yo.data(), yo.data() + B * tcols, y.row(first));
                     });
  });
  c.allreduce_sum(p.data(), p.size());
  c.allreduce_sum(y.data(), y.size());
  // The loss over the whole set, in the chunks evaluation alone uses.
  double total = 0;
  for (std::size_t i = 0; i < rows; i += kEvalChunk) {
    const std::size_t B = std::min(kEvalChunk, rows - i);
    total += loss_forward(loss_, p.row(i), y.row(i), B, out) * static_cast<double>(B);
  }
  if (outputs) *outputs = std::move(p);
  if (targets) *targets = std::move(y);
  return total / static_cast<double>(rows);
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
