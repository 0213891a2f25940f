// Training: model -> loss -> gradients -> gradient reduction -> clipping -> optimizer step, per
// batch, over epochs with validation, schedules, early stopping and callbacks; plus evaluation.
// Each stage stays separate so that data-parallel training can combine gradients between
// backward and the step.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mlp/train/communicator.h"
#include "mlp/train/dataset.h"
#include "mlp/nn/loss.h"
#include "mlp/nn/model.h"
#include "mlp/train/optimizer.h"
#include "mlp/core/random.h"
#include "mlp/train/schedule.h"

namespace mlp {

// What the model predicts, as the loss says: cross_entropy and nll mean multi-class
// classification, bce and bce_with_logits binary classification, the rest regression.
enum class Task { regression, binary, multiclass };
Task task_for_loss(const Loss& loss);

// Early stopping and the choice of the best epoch: Keras's EarlyStopping settings.
struct EarlyStoppingOptions {
  // Stop after this many epochs without improvement of `monitor` by more than min_delta; 0 turns
  // early stopping off. The monitored quantity also picks the best epoch.
  std::size_t patience = 0;
  double min_delta = 0;
  // What min_delta is measured from: false, the last value that counted as an improvement (Keras's
  // and PyTorch Lightning's EarlyStopping); true, the best value seen however small its gain, so
  // that a slow steady decline also stops (scikit-learn MLP's n_iter_no_change). Either way the
  // best epoch is the one an improvement last replaced the best value in.
  bool min_delta_from_best_seen = false;
  // Keras's names: "val_loss" (the default; the training loss when there is no validation data),
  // "loss", or "val_" and a metric of the task (val_accuracy, val_f1, val_precision, val_recall,
  // val_log_loss, val_top5_accuracy; val_mse, val_rmse, val_mae, val_r2). Accuracies, precision,
  // recall, f1 and r2 improve upwards, the rest downwards.
  std::string monitor = "val_loss";
  // With early stopping, end with the best epoch's weights (Keras's restore_best_weights); false
  // keeps the last epoch's, as scikit-learn does when it stops on the training loss.
  bool restore_best_weights = true;
};

struct TrainOptions {
  std::size_t epochs = 10;
  std::size_t batch_size = 32;  // the last batch of an epoch keeps the rows left over
  bool shuffle = true;          // a seeded permutation each epoch; false: rows in order (the tutorial)
  std::uint32_t seed = 0;       // shuffling, the validation split and dropout masks
  // Without a validation set, hold out this fraction of the rows (a seeded random choice).
  double validation_split = 0;
  EarlyStoppingOptions early_stopping;  // none by default: patience 0
  double clip_grad_norm = 0;   // 0: off
  double clip_grad_value = 0;  // 0: off
  ScheduleOptions schedule = ConstantLR{};
  Warmup warmup = {};
  // Regression targets given standardized, y' = (y - offset) / scale per output column: the
  // validation metrics are computed on the outputs and targets mapped back to the data's units
  // (the losses stay in the standardized units the model trains in). Empty: none.
  std::vector<double> target_offset, target_scale;

  // Data-parallel training (docs/distributed.md). With a communicator of several processes,
  // batch_size is the global batch: each process computes the gradient of its share of the same
  // rows (the same seeded order everywhere; no data is exchanged), the gradients and losses are
  // summed weighted by rows, and every process takes the same step, so the model is the one
  // training alone gives, up to rounding. Every process must call fit with the same data and
  // options; they start from process 0's weights; validation is split among them. Null, or one
  // process: training alone, as always. Batch normalization is not supported (its statistics
  // would be per process).
  Communicator* communicator = nullptr;
  // Bit-identical models whatever the number of processes: each global batch is split into
  // micro_batches parts (dropout masks drawn per part), whose gradients are summed in a fixed
  // binary tree; each process computes a whole subtree, so the process count must be a power of
  // two dividing micro_batches. Also alone, where it gives what any such process count gives.
  bool deterministic = false;
  std::size_t micro_batches = 8;

  // Epochs between the states given to Trainer::on_checkpoint (also at the end and on a stop).
  std::size_t checkpoint_every = 1;
};

// Whether `monitor` (EarlyStoppingOptions::monitor) improves upwards; throws InvalidArgument for a name
// that is no quantity of the task's, listing the valid ones.
bool monitor_maximizes(const std::string& monitor, Task task);

using Metrics = std::vector<std::pair<std::string, double>>;

struct EpochStats {
  std::size_t epoch = 0;   // 1-based
  double train_loss = 0;   // mean of the batch losses, weighted by batch size
  double val_loss = 0;     // NaN without validation data
  Metrics val_metrics;     // e.g. accuracy, f1 (classification); rmse, mae, r2 (regression)
  double lr = 0;           // the learning rate during the epoch (its first batch)
  double seconds = 0;
  // Data-parallel training: the time this process waited for the sums of the others' gradients
  // (after its own backward pass) during the epoch's steps.
  double wait_seconds = 0;
};

struct BatchStats {
  std::size_t epoch = 0, batch = 0, batches = 0;  // 1-based epoch and batch
  double loss = 0;
  std::size_t rows = 0;  // in this batch
};

struct Evaluation {
  double loss = 0;
  Metrics metrics;
};

// Everything a fit needs to continue exactly where it was (checkpoints), besides the model's own
// parameters and buffers: with the same data and options, a fit restored from it gives the same
// model, bit for bit, as a fit that never stopped.
template <typename T>
struct TrainState {
  std::size_t epochs_done = 0;   // completed epochs
  std::size_t batches_done = 0;  // batches of the next epoch already taken (0 at an epoch's end)
  double loss_sum = 0;           // over those batches: loss times rows
  double epoch_lr = 0;           // the learning rate that epoch began with
  double epoch_seconds = 0;      // time spent in it so far
  bool finished = false;         // early stopping ended training
  std::string shuffle_rng;       // Random::state() when that epoch began (before its shuffle)
  std::string dropout_rng;       // the model's dropout generator, now
  OptimizerState<T> optimizer;
  LrScheduler::State scheduler;
  // Early stopping: the best epoch's parameters and buffers (empty unless they are kept), the
  // monitored value to beat (as a number to minimize), epochs without improvement.
  std::vector<T> best_params, best_buffers;
  double best_metric = 0;
  std::size_t best_epoch = 0, bad_epochs = 0;
  std::vector<EpochStats> history;
};

template <typename T>
class DataParallel;  // src/train/data_parallel.h

template <typename T>
class Trainer {
 public:
  // Throws InvalidArgument for bad options (batch size 0, a validation split outside [0, 1), ...)
  // and, through make_optimizer and LrScheduler, for bad hyper-parameters.
  Trainer(Model<T>& model, Loss loss, OptimizerOptions optimizer, TrainOptions options = {});
  ~Trainer();

  // Called with the flat gradient buffer after backward and before clipping and the step.
  // Empty by default; data-parallel training all-reduces here.
  std::function<void(T* grads, std::size_t n)> reduce_gradients;
  // Called after every batch (progress bars).
  std::function<void(const BatchStats&)> on_batch_end;
  // Called after every epoch; returning false stops training.
  std::function<bool(const EpochStats&)> on_epoch_end;
  // Polled after every batch (data-parallel: at every epoch's end, agreed among the processes);
  // true ends training there, as an interruption (interrupted()).
  std::function<bool()> should_stop;
  // Called with the whole training state (the model holding the current weights) every
  // TrainOptions::checkpoint_every epochs, after the epoch's validation and early-stopping
  // bookkeeping, at the end, and when should_stop ends training, before the best weights are
  // restored.
  std::function<void(const TrainState<T>&)> on_checkpoint;

  // Makes the next fit continue from `state` (taken from a fit of the same model with the same
  // data and options; the model must hold the weights it was taken with) instead of starting
  // afresh. Throws InvalidArgument for a state that does not fit the model or the optimizer.
  void resume_from(TrainState<T> state);

  // One step on a batch x (B, inputs), y (B, outputs) or (B, 1) class indices: forward, loss,
  // backward, reduce, clip, step. Returns the batch loss. A non-finite loss or gradient throws
  // NumericError naming the epoch and batch, before the weights change. This process alone (fit
  // is what trains data-parallel).
  double train_step(const T* x, const T* y, std::size_t B);

  // Trains for options.epochs over `train`; validates on `validation` after each epoch when
  // given, or on a held-out split (options.validation_split). Returns one EpochStats per epoch run.
  // Data-parallel (options.communicator), it is collective, and so is every error it throws: every
  // process throws the same one at the same point (Communicator::agreed_failure() holds it).
  std::vector<EpochStats> fit(const Dataset<T>& train, const Dataset<T>* validation = nullptr);
  // The same over matrices: x (rows, inputs), y (rows, outputs) or (rows, 1) class indices.
  std::vector<EpochStats> fit(const Matrix<T>& x, const Matrix<T>& y, const Matrix<T>* val_x = nullptr,
                              const Matrix<T>* val_y = nullptr);

  // The mean loss in evaluation mode, without changing the model's parameters. Data-parallel
  // (options.communicator of several processes, or deterministic), these are collective: each
  // process evaluates a share of the rows and all get the whole result.
  double evaluate(const Dataset<T>& data);
  double evaluate(const Matrix<T>& x, const Matrix<T>& y);
  // The loss and the task's metrics (regression: mse, rmse, mae, r2; classification: accuracy,
  // top5_accuracy with more than 5 classes, precision, recall, f1 (macro), log_loss).
  Evaluation evaluate_metrics(const Dataset<T>& data);
  Evaluation evaluate_metrics(const Matrix<T>& x, const Matrix<T>& y);

  Optimizer<T>& optimizer() { return *optimizer_; }
  Task task() const { return task_; }
  // After fit: the epoch whose weights the model holds (the best one by the monitored quantity
  // when early stopping restored it, else the last), and whether early stopping ended training.
  std::size_t best_epoch() const { return s_.best_epoch; }
  bool stopped_early() const { return s_.finished; }
  // After fit: whether should_stop ended it.
  bool interrupted() const { return interrupted_; }

 private:
  using Clock = std::chrono::steady_clock;
  class EarlyStopping;
  class Stepping;  // one step and an epoch's end: alone (Local) or data-parallel (Parallel)
  class Local;
  class Parallel;

  void check_data(const char* what, const Dataset<T>& data) const;
  // The epoch loop over rows already split off from any validation: begin, then for each epoch
  // run_batches, close_epoch, early stopping and the stepping's end of the epoch.
  std::vector<EpochStats> fit_split(const Dataset<T>& train, const Dataset<T>* validation);
  // A fresh state, or the one resume_from gave; data-parallel set-up; the schedule's start.
  void begin(const Dataset<T>& train, const Dataset<T>* validation, std::size_t batches);
  // The epoch's batches (from the state's batch on); false when should_stop ended fit in it.
  bool run_batches(Stepping& stepping, const Dataset<T>& train, std::vector<std::uint32_t>& order,
                   std::vector<std::size_t>& rows, Clock::time_point start, double& total);
  // The epoch's stats (validation, the schedule's epoch step) into the history; `monitored` is
  // the value early stopping watches, as a number to minimize.
  EpochStats close_epoch(const Dataset<T>* validation, double total, std::size_t rows, Clock::time_point start,
                         double& monitored);
  void apply_schedule();  // the schedule's lr and momentum into the optimizer
  // Runs the model over `data` in evaluation mode, chunk by chunk: the mean loss, and the outputs
  // (rows, outputs) and targets when `outputs` is given.
  double run_eval(const Dataset<T>& data, Matrix<T>* outputs, Matrix<T>* targets);
  double run_eval_parallel(const Dataset<T>& data, Matrix<T>* outputs, Matrix<T>* targets);
  // Stages 5 and 6 of a step: clipping, the finiteness check, the optimizer step.
  void clip_check_step();
  std::string where() const;  // " at epoch E, batch B (...)" for error messages
  // Data-parallel training: the processes, whether training is spread over them (or
  // deterministic), one step over a global batch, and an error every process throws.
  Communicator& comm() { return options_.communicator ? *options_.communicator : alone_; }
  bool parallel() { return options_.deterministic || comm().size() > 1; }
  void start_parallel(const Dataset<T>& train, const Dataset<T>* validation);
  double parallel_step(const Dataset<T>& data, const std::size_t* rows, std::size_t B);
  [[noreturn]] void fail_together(const Failure& failure);
  // The state now (see TrainState), for on_checkpoint.
  TrainState<T> state() const;
  void checkpoint() const {
    if (on_checkpoint) on_checkpoint(state());
  }

  Model<T>& model_;
  Loss loss_;
  Task task_;
  std::unique_ptr<Optimizer<T>> optimizer_;
  double base_lr_;
  TrainOptions options_;
  LrScheduler scheduler_;
  Random rng_;
  std::size_t epoch_ = 0, batch_index_ = 0;  // for error messages, 1-based
  bool interrupted_ = false;
  // Where fit is: the loop's counters, early stopping and the history (its generators, optimizer
  // and schedule are their own objects' state; state() gathers them all), and a state to resume
  // from. shuffle_rng is the generator as the current epoch began.
  TrainState<T> s_;
  std::optional<TrainState<T>> resume_;
  Matrix<T> dout_;
  Matrix<T> batch_x_, batch_y_;  // the rows of the current batch
  SingleProcess alone_;
  std::unique_ptr<DataParallel<T>> parallel_;  // during a data-parallel fit
  std::exception_ptr pending_;  // data-parallel: a callback's error, reported at the next sum
};

// The model's outputs for every row of `data` (rows, outputs), in evaluation mode, chunk by chunk.
template <typename T>
Matrix<T> predict(Model<T>& model, const Dataset<T>& data);

}  // namespace mlp
