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
  if (!(options_.early_stopping.min_delta >= 0)) throw InvalidArgument("trainer: min_delta must be >= 0");
  monitor_maximizes(options_.early_stopping.monitor, task_);  // validates the name
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
    if (!validation && options_.validation_split == 0 && options_.early_stopping.monitor.starts_with("val_") &&
        options_.early_stopping.monitor != "val_loss")
      throw InvalidArgument("cannot monitor '" + options_.early_stopping.monitor +
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
  TrainState<T> s = s_;
  // In an epoch, the generator as it was before the epoch's shuffle (resuming shuffles again).
  if (s_.batches_done == 0) s.shuffle_rng = rng_.state();
  s.dropout_rng = model_.dropout_rng().state();
  s.optimizer = optimizer_->state();
  s.scheduler = scheduler_.state();
  return s;
}

// Early stopping's bookkeeping on a TrainState: the best monitored value, its epoch and weights,
// the epochs without an improvement.
template <typename T>
class Trainer<T>::EarlyStopping {
 public:
  EarlyStopping(const EarlyStoppingOptions& o, Model<T>& model) : o_(o), model_(model) {}
  // After epoch `epoch` with `monitored` (a number to minimize; NaN never improves): true when
  // patience has run out.
  bool update(TrainState<T>& s, std::size_t epoch, double monitored) const {
    const bool significant = s.best_epoch == 0 || monitored < s.best_metric - o_.min_delta;
    const bool better = s.best_epoch == 0 || monitored < s.best_metric;
    if (o_.min_delta_from_best_seen ? better : significant) {
      s.best_metric = monitored;
      s.best_epoch = epoch;
      if (keeps_weights()) {
        s.best_params.assign(model_.parameters().begin(), model_.parameters().end());
        s.best_buffers.assign(model_.buffers().begin(), model_.buffers().end());
      }
    }
    if (significant) {
      s.bad_epochs = 0;
      return false;
    }
    return o_.patience > 0 && ++s.bad_epochs >= o_.patience;
  }
  // At the end of fit: the best weights back in the model when they were kept; otherwise the
  // model holds the last epoch's, which becomes the best epoch.
  void finish(TrainState<T>& s) const {
    if (keeps_weights() && !s.best_params.empty()) {
      std::copy(s.best_params.begin(), s.best_params.end(), model_.parameters().begin());
      std::copy(s.best_buffers.begin(), s.best_buffers.end(), model_.buffers().begin());
    } else {
      s.best_epoch = s.history.size();
    }
  }

 private:
  bool keeps_weights() const { return o_.patience > 0 && o_.restore_best_weights; }
  const EarlyStoppingOptions& o_;
  Model<T>& model_;
};

// How fit takes a step and ends an epoch: alone (Local), or as one of the processes of a
// data-parallel fit (Parallel), which defers a callback's error to the next agreement and agrees
// with the others on errors and on stopping at each epoch's end.
template <typename T>
class Trainer<T>::Stepping {
 public:
  explicit Stepping(Trainer& t) : t_(t) {}
  virtual ~Stepping() = default;
  // The batch of `rows` (B of them) of `train`: one step, its loss.
  virtual double step(const Dataset<T>& train, const std::size_t* rows, std::size_t B) = 0;
  virtual void batch_end(const BatchStats& b) = 0;
  // After a batch: whether should_stop asks to end fit there.
  virtual bool stop_after_batch() = 0;
  // The epoch's callbacks and checkpoint (when `due`, or on a stop); false ends fit, and
  // t.interrupted_ says whether a stop did.
  virtual bool end_epoch(const EpochStats& stats, bool keep_going, bool due) = 0;

 protected:
  Trainer& t_;
};

template <typename T>
class Trainer<T>::Local final : public Trainer<T>::Stepping {
 public:
  using Stepping::Stepping;
  double step(const Dataset<T>& train, const std::size_t* rows, std::size_t B) override {
    Trainer& t = this->t_;
    train.gather(rows, B, t.batch_x_.data(), t.batch_y_.data());
    return t.train_step(t.batch_x_.data(), t.batch_y_.data(), B);
  }
  void batch_end(const BatchStats& b) override {
    if (this->t_.on_batch_end) this->t_.on_batch_end(b);
  }
  bool stop_after_batch() override { return this->t_.should_stop && this->t_.should_stop(); }
  bool end_epoch(const EpochStats& stats, bool keep_going, bool due) override {
    Trainer& t = this->t_;
    if (t.on_epoch_end && !t.on_epoch_end(stats)) keep_going = false;
    if (due || !keep_going) t.checkpoint();
    return keep_going;
  }
};

template <typename T>
class Trainer<T>::Parallel final : public Trainer<T>::Stepping {
 public:
  using Stepping::Stepping;
  double step(const Dataset<T>& train, const std::size_t* rows, std::size_t B) override {
    return this->t_.parallel_step(train, rows, B);
  }
  void batch_end(const BatchStats& b) override {
    Trainer& t = this->t_;
    if (!t.on_batch_end || t.pending_) return;
    try {  // an error here stops every process at the next sum (or at the epoch's end)
      t.on_batch_end(b);
    } catch (...) {
      t.pending_ = std::current_exception();
    }
  }
  bool stop_after_batch() override { return false; }  // asked at the epoch's end, together
  bool end_epoch(const EpochStats& stats, bool keep_going, bool due) override {
    Trainer& t = this->t_;
    // Every process learns whether any had an error or wants to stop, and they act alike.
    bool stop = false, saved = false;
    if (!t.pending_) {
      try {
        if (t.on_epoch_end && !t.on_epoch_end(stats)) keep_going = false;
        stop = t.should_stop && t.should_stop();
        if ((saved = due || !keep_going || stop)) t.checkpoint();
      } catch (...) {
        t.pending_ = std::current_exception();
      }
    }
    double flags[3] = {t.pending_ ? 1.0 : 0.0, keep_going ? 0.0 : 1.0, stop ? 1.0 : 0.0};
    t.comm().allreduce_sum(flags, 3);
    if (flags[0] > 0) {
      const std::exception_ptr mine = t.pending_;
      t.pending_ = nullptr;
      throw_if_any_failed(t.comm(), mine);
    }
    keep_going = flags[1] == 0;
    if (flags[2] > 0) {
      t.interrupted_ = true;
      if (!saved) t.checkpoint();  // another process was asked to stop
    }
    return keep_going && !t.interrupted_;
  }
};

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

template <typename T>
void Trainer<T>::apply_schedule() {
  optimizer_->set_lr(scheduler_.lr());
  if (auto m = scheduler_.momentum(); m && optimizer_->has_momentum()) optimizer_->set_momentum(*m);
}

template <typename T>
void Trainer<T>::begin(const Dataset<T>& train, const Dataset<T>* validation, std::size_t batches) {
  const std::size_t n = train.rows(), bs = options_.batch_size;
  model_.dropout_rng().seed(options_.seed + 1);
  scheduler_.start(base_lr_, optimizer_->has_momentum() ? std::optional<double>(optimizer_->momentum())
                                                        : std::nullopt);
  std::optional<TrainState<T>> resume = std::move(resume_);
  resume_.reset();
  if (!resume) apply_schedule();  // a resumed optimizer has its own lr and momentum
  s_ = TrainState<T>{};
  s_.best_metric = std::numeric_limits<double>::infinity();
  interrupted_ = false;
  model_.set_training(true);
  batch_x_.resize(std::min(bs, n), train.features());
  batch_y_.resize(std::min(bs, n), train.targets());
  pending_ = nullptr;
  if (parallel()) start_parallel(train, validation);
  if (!resume) return;
  if (resume->batches_done > batches)
    throw InvalidArgument("resume: the state is at batch " + std::to_string(resume->batches_done) +
                          " of an epoch, but the data makes " + std::to_string(batches) + " batches per epoch");
  rng_.set_state(resume->shuffle_rng);
  // Data-parallel, each process's dropout stream starts afresh; deterministic training seeds
  // every micro-batch by its global step, so it resumes exactly.
  if (!parallel_) model_.dropout_rng().set_state(resume->dropout_rng);
  if (parallel_) parallel_->set_steps(resume->epochs_done * batches + resume->batches_done);
  scheduler_.restore(resume->scheduler);
  s_ = std::move(*resume);
}

template <typename T>
bool Trainer<T>::run_batches(Stepping& stepping, const Dataset<T>& train, std::vector<std::uint32_t>& order,
                             std::vector<std::size_t>& rows, Clock::time_point start, double& total) {
  const std::size_t n = train.rows(), bs = options_.batch_size, batches = (n + bs - 1) / bs;
  const std::size_t e = s_.epochs_done;
  if (s_.batches_done == 0) {  // a new epoch (not one resumed in its middle)
    s_.shuffle_rng = rng_.state();
    s_.epoch_lr = optimizer_->lr();
    s_.loss_sum = s_.epoch_seconds = 0;
  }
  if (options_.shuffle) {  // rng_.permutation(n), in place (the same swaps whatever the type)
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    rng_.shuffle(order);
  }
  total = s_.loss_sum;
  for (std::size_t b = s_.batches_done, i = b * bs; i < n; i += bs, ++b) {
    batch_index_ = b + 1;
    const std::size_t B = std::min(bs, n - i);
    std::copy_n(order.begin() + static_cast<std::ptrdiff_t>(i), B, rows.begin());
    const double loss = stepping.step(train, rows.data(), B);
    total += loss * static_cast<double>(B);
    const bool last_step = e + 1 == options_.epochs && i + B >= n;  // a step after it would go unused
    if (scheduler_.per_batch() && !last_step) {
      scheduler_.step();
      apply_schedule();
    }
    stepping.batch_end(BatchStats{e + 1, b + 1, batches, loss, B});
    if (stepping.stop_after_batch()) {
      s_.batches_done = b + 1;
      s_.loss_sum = total;
      s_.epoch_seconds += seconds_since(start);
      interrupted_ = true;
      checkpoint();
      return false;
    }
  }
  s_.batches_done = 0;
  return true;
}

template <typename T>
EpochStats Trainer<T>::close_epoch(const Dataset<T>* validation, double total, std::size_t rows,
                                   Clock::time_point start, double& monitored) {
  EpochStats stats;
  stats.epoch = s_.epochs_done + 1;
  stats.lr = s_.epoch_lr;
  stats.train_loss = total / static_cast<double>(rows);
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
  const bool maximize = monitor_maximizes(options_.early_stopping.monitor, task_);
  monitored = std::numeric_limits<double>::quiet_NaN();
  if (options_.early_stopping.monitor == "loss")
    monitored = stats.train_loss;
  else if (options_.early_stopping.monitor == "val_loss")
    monitored = loss_monitored;
  else
    for (const auto& [name, value] : stats.val_metrics)
      if (options_.early_stopping.monitor.compare(4, std::string::npos, name) == 0) monitored = maximize ? -value : value;
  stats.seconds = s_.epoch_seconds + seconds_since(start);
  if (parallel_) stats.wait_seconds = parallel_->take_wait_seconds();
  s_.history.push_back(stats);
  s_.epochs_done = stats.epoch;
  return stats;
}

template <typename T>
std::vector<EpochStats> Trainer<T>::fit_split(const Dataset<T>& train, const Dataset<T>* validation) {
  const std::size_t n = train.rows(), bs = options_.batch_size;
  // The epoch's row order, 4 bytes a row (a million-row file's order is 4 MB), and the current
  // batch's rows as the datasets take them.
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw InvalidArgument("fit: " + std::to_string(n) + " rows; at most 4294967295 train in one fit");
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  std::vector<std::size_t> rows(std::min(bs, n));
  monitor_maximizes(options_.early_stopping.monitor, task_);  // refuses an unknown name before training
  // Data-parallel: the processes compare their data, take process 0's weights and set up the sums;
  // all of it goes when fit ends, however it ends.
  struct EndParallel {
    Trainer& t;
    ~EndParallel() {
      t.parallel_.reset();
      t.pending_ = nullptr;
    }
  } end_parallel{*this};
  begin(train, validation, (n + bs - 1) / bs);
  Local local(*this);
  Parallel together(*this);
  Stepping& stepping = parallel_ ? static_cast<Stepping&>(together) : local;
  const EarlyStopping early(options_.early_stopping, model_);

  while (s_.epochs_done < options_.epochs && !s_.finished) {
    epoch_ = s_.epochs_done + 1;
    const auto start = std::chrono::steady_clock::now();
    double total = 0;
    if (!run_batches(stepping, train, order, rows, start, total)) break;  // stopped in the epoch
    double monitored = 0;
    const EpochStats stats = close_epoch(validation, total, n, start, monitored);
    if (early.update(s_, stats.epoch, monitored)) s_.finished = true;
    // A checkpoint every checkpoint_every epochs and at the end of training (and on a stop).
    const bool due = s_.epochs_done % std::max<std::size_t>(options_.checkpoint_every, 1) == 0 ||
                     s_.epochs_done == options_.epochs;
    if (!stepping.end_epoch(stats, !s_.finished, due)) break;
  }
  early.finish(s_);
  return s_.history;
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
