// Pipeline::fit and fit_more (fit.h): the task, output side, preprocessing and network chosen
// from the data and options, the Trainer set up from the options, and the training record.
#include <chrono>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "mlp/core/error.h"
#include "mlp/formats/model_file.h"
#include "pipeline/description.h"
#include "pipeline/fit.h"
#include "pipeline/option_values.h"
#include "pipeline/specs.h"
#include "pipeline/targets.h"

namespace mlp {

nlohmann::json training_record(const std::string& source, std::size_t rows, const PipelineOptions& o, double lr,
                               const FitReport& report, bool f64) {
  nlohmann::json j;
  j["data"] = source;
  j["rows"] = rows;
  j["optimizer"] = o.optimizer;
  j["lr"] = lr;
  j["batch_size"] = o.batch_size;
  j["epochs_requested"] = o.epochs;
  j["epochs_run"] = report.history.size();
  j["best_epoch"] = report.best_epoch;
  j["monitor"] = o.early_stopping.monitor;
  j["seed"] = o.seed;
  j["schedule"] = o.schedule;
  j["dtype"] = f64 ? "f64" : precision_name(training_precision(o));  // what the products took
  if (o.communicator && o.communicator->size() > 1) j["processes"] = o.communicator->size();
  if (o.deterministic) j["micro_batches"] = o.micro_batches;  // deterministic training
  j["seconds"] = report.seconds;
  if (!report.history.empty()) {
    const EpochStats& best = report.history[report.best_epoch - 1];
    j["train_loss"] = best.train_loss;
    if (!std::isnan(best.val_loss)) j["val_loss"] = best.val_loss;
    for (const auto& [name, value] : best.val_metrics) j["val_" + name] = value;
  }
  std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  j["date"] = date;
  return j;
}

// The targets of y as the network trains on them: class indices, or regression targets.
namespace {

// The network: from the options, or the architecture of an mlp model given to start from.
ModelConfig network_config(const PipelineOptions& o, const Loss& loss, std::size_t features, std::size_t outputs) {
  ModelConfig config;
  if (!o.init_from.empty() && !o.hidden && io::is_mlp_model(o.init_from)) {
    config = io::read_description(o.init_from).config;
    if (config.sizes.front() != features || config.sizes.back() != outputs)
      throw ShapeError(o.init_from + ": a model of " + std::to_string(config.sizes.front()) + " inputs and " +
                       std::to_string(config.sizes.back()) + " outputs; the data needs " + std::to_string(features) +
                       " and " + std::to_string(outputs));
    return config;
  }
  config.sizes = {features};
  for (std::size_t w : o.hidden.value_or(std::vector<std::size_t>{100})) config.sizes.push_back(w);
  config.sizes.push_back(outputs);
  config.hidden_activations = o.activation;
  config.output = o.output_activation.value_or(
      parse_activation(loss.kind == LossKind::nll ? "log_softmax" : loss.kind == LossKind::bce ? "sigmoid" : "identity"));
  config.dropout = o.dropout;
  config.batch_norm = o.batch_norm;
  return config;
}

}  // namespace

template <typename T>
std::vector<double> PipelineFit<T>::targets_of(const io::ModelDescription& d, const data::Targets& y) {
  return d.classification ? encode_labels(y, d.class_names) : regression_targets(y);
}

// The fraction of the training rows held out: the options', or without validation data, 10% for
// regression of at least 20 rows (on small noisy data, early stopping on held-out rows is what
// keeps a network from overfitting; docs/cli.md).
template <typename T>
double PipelineFit<T>::validation_split(const PipelineOptions& o, bool has_val, bool classification, std::size_t rows) {
  if (has_val && o.validation_split.value_or(0) > 0)
    throw InvalidArgument("give either validation data or a validation split, not both");
  if (o.validation_split) return *o.validation_split;
  return !has_val && !classification && rows >= 20 ? 0.1 : 0;
}

template <typename T>
std::string PipelineFit<T>::data_json(const data::Frame& x, const PreparedData<T>& train, const PreparedData<T>* val) {
  nlohmann::ordered_json j = {{"source", x.source}, {"train", train.record()}};
  j["validation"] = val ? val->record() : nlohmann::ordered_json(nullptr);
  return j.dump();
}

template <typename T>
std::unique_ptr<PreparedData<T>> PipelineFit<T>::prepare(const io::ModelDescription& d, std::size_t inputs,
                                                         std::size_t outputs, const data::Frame& x,
                                                         const data::Targets& y) {
  check_rows(x, y);
  if (!d.classification && y.cols != outputs)
    throw ShapeError(y.source + ": " + std::to_string(y.cols) + " target columns, the model has " +
                     std::to_string(outputs) + " outputs");
  auto rows = std::make_unique<PreparedData<T>>(d.preprocessor, x, d.preprocessor.missing == MissingPolicy::drop, inputs);
  rows->set_targets(targets_of(d, y), d.classification ? 1 : y.cols, d.target_offset, d.target_scale);
  return rows;
}

template <typename T>
FitPlan PipelineFit<T>::plan_of(const io::ModelDescription& d, const data::Frame& x, std::string reason) {
  FitPlan plan;
  plan.columns = x.is_table ? x.columns.size() : x.array.cols();
  for (const ColumnEncoding& c : d.preprocessor.columns) plan.categorical += c.categorical();
  plan.task_reason = std::move(reason);
  return plan;
}

template <typename T>
Pipeline PipelineFit<T>::finish(io::ModelDescription d, Model<T> model, FitReport report, const nlohmann::json& record) {
  d.training_json = record.dump();
  d.weight_dtype = std::is_same_v<T, float> ? "F32" : "F64";
  Pipeline p(std::move(d), std::move(model));
  p.report_ = std::move(report);
  return p;
}

// Trains `model` with the options' training settings on prepared rows; validation on `val`, or
// on a split of `val_split` of the training rows; writes checkpoints when asked.
template <typename T>
FitReport PipelineFit<T>::run_training(Model<T>& model, const io::ModelDescription& d, PreparedData<T>& data, PreparedData<T>* val,
                                       double val_split, const PipelineOptions& o, FitPlan& plan, const std::string& source,
                                       bool* training, Continuation cont) {
  const std::size_t rows = data.scaled->rows();
  const OptimizerOptions opt = optimizer_options(o.optimizer, o.lr, o.momentum, o.nesterov, o.weight_decay);
  TrainOptions t;
  t.epochs = o.epochs;
  t.batch_size = o.batch_size;
  t.shuffle = o.shuffle;
  t.seed = o.seed;
  t.validation_split = val_split;
  t.early_stopping = o.early_stopping;
  t.clip_grad_norm = o.clip_grad_norm;
  const std::size_t train_rows = val_split > 0 ? static_cast<std::size_t>(static_cast<double>(rows) * (1 - val_split)) : rows;
  const std::size_t steps = o.batch_size ? (train_rows + o.batch_size - 1) / o.batch_size : 1;
  t.schedule = parse_schedule(o.schedule, cont.schedule_epochs ? cont.schedule_epochs : o.epochs, steps, optimizer_lr(opt));
  t.warmup = Warmup{.epochs = o.warmup};
  t.target_offset = d.target_offset;
  t.target_scale = d.target_scale;
  t.communicator = o.communicator;
  t.deterministic = o.deterministic;
  t.micro_batches = o.micro_batches;
  t.checkpoint_every = o.checkpoint_every;
  Trainer<T> trainer(model, d.loss, opt, t);
  trainer.on_batch_end = o.callbacks.on_batch_end;
  trainer.on_epoch_end = o.callbacks.on_epoch_end;
  trainer.should_stop = o.callbacks.stop_requested;
  if (!o.checkpoint.empty() && (!o.communicator || o.communicator->rank() == 0)) {
    trainer.on_checkpoint = [&](const TrainState<T>& s) {
      io::ModelDescription now = d;  // described as a model of the weights it holds now
      FitReport so_far;
      so_far.history = s.history;
      so_far.best_epoch = s.history.size();
      nlohmann::json record = training_record(source, data.scaled->rows(), o, optimizer_lr(opt), so_far, std::is_same_v<T, double>);
      record["checkpoint"] = {{"epochs_done", s.epochs_done}, {"batches_done", s.batches_done}};
      now.training_json = record.dump();
      io::write_file_atomic(o.checkpoint, io::serialize_checkpoint(model, now, s, cont.options_json, cont.data_json));
    };
  }
  if (cont.state) trainer.resume_from(std::move(*cont.state));

  plan.rows = rows;
  plan.features = data.scaled->features();
  plan.classification = d.classification;
  plan.classes = d.class_names.size();
  plan.shape = shape_of(d.config);
  plan.parameters = model.parameters().size();
  plan.loss = d.loss.name();
  plan.validation_split = val_split;
  plan.preprocessing = data.report;
  if (o.callbacks.on_start) o.callbacks.on_start(plan);

  const auto start = std::chrono::steady_clock::now();
  FitReport report;
  if (training) *training = true;  // from here on, errors are the trainer's: agreed among processes
  // bf16: bfloat16 products while training only; the model stays, and is saved, float32.
  struct Bf16Products {
    Model<T>& model;
    ~Bf16Products() { model.set_bf16_products(false); }
  } bf16{model};
  if constexpr (std::is_same_v<T, float>) model.set_bf16_products(training_precision(o) == Precision::bf16);
  try {
    report.history = trainer.fit(*data.scaled, val ? val->scaled.get() : nullptr);
  } catch (const NumericError& e) {
    throw NumericError(source + ": " + e.what());
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.best_epoch = trainer.best_epoch();
  report.stopped_early = trainer.stopped_early();
  report.interrupted = trainer.interrupted();
  return report;
}

template <typename T>
Pipeline PipelineFit<T>::run(const data::Frame& x, const data::Targets& y, const PipelineOptions& o, const data::Frame* val_x,
                             const data::Targets* val_y, bool* training) {
  check_rows(x, y);
  if ((val_x == nullptr) != (val_y == nullptr)) throw InvalidArgument("fit: validation needs both features and targets");
  if (!o.classes.empty() && o.task == "regression") throw InvalidArgument("classes are given, but the task is regression");
  const TaskChoice task = o.classes.empty() ? choose_task(y, o.task) : choose_task(y, "classification");
  io::ModelDescription d;
  d.feature_names = x.names();
  const std::size_t outputs = choose_output_side(d, y, task, o.classes, o.loss);
  std::vector<double> targets = targets_of(d, y);
  const std::size_t target_cols = task.classification ? 1 : y.cols;

  // Preprocessing learned from the training rows; regression targets standardized.
  const bool drop = o.missing == MissingPolicy::drop;
  d.preprocessor = Preprocessor::fit<T>(x, o.scale, o.missing);
  PreparedData<T> train(d.preprocessor, x, drop);
  if (!task.classification && o.standardize_targets.value_or(o.scale != ScaleKind::none))
    fit_target_scaling(train.kept.empty() ? targets : select_rows(targets, target_cols, train.kept),
                       target_cols, d.target_offset, d.target_scale);
  train.set_targets(targets, target_cols, d.target_offset, d.target_scale);
  std::vector<double>().swap(targets);  // in the matrix now: a large file's memory goes to training
  const double val_split = validation_split(o, val_x != nullptr, task.classification, train.rows());
  std::unique_ptr<PreparedData<T>> val;
  const std::size_t features = train.scaled->features();
  if (val_x) val = prepare(d, features, target_cols, *val_x, *val_y);

  d.config = network_config(o, d.loss, features, outputs);
  Model<T> model(d.config);
  Random rng(o.seed);
  init_model(model, o.initializer, rng);
  if (!o.init_from.empty()) io::load_weights(o.init_from, model);

  FitPlan plan = plan_of(d, x, o.classes.empty() ? task.reason : "classes given");
  Continuation cont;
  if (!o.checkpoint.empty()) {
    cont.options_json = options_record(o).dump();
    cont.data_json = data_json(x, train, val.get());
  }
  FitReport report = run_training(model, d, train, val.get(), val_split, o, plan, x.source, training, std::move(cont));

  const nlohmann::json record = training_record(x.source, plan.rows, o, optimizer_lr(optimizer_options(o.optimizer, o.lr)),
                                                report, std::is_same_v<T, double>);
  return finish(std::move(d), std::move(model), std::move(report), record);
}

// Pipeline::fit_more on the model `current` of p: trains a copy, which replaces it on success.
template <typename T>
void PipelineFit<T>::more(Pipeline& p, const Model<T>& current, const data::Frame& x, const data::Targets& y,
                          const PipelineOptions& o, bool* training) {
  if (!o.checkpoint.empty())
    throw InvalidArgument("fit_more writes no checkpoints (fit does; resume continues one)");
  const io::ModelDescription& d = p.d_;
  const std::unique_ptr<PreparedData<T>> data = prepare(d, current.inputs(), current.outputs(), x, y);
  Model<T> model = current;
  FitPlan plan = plan_of(d, x, "continued training");
  const double val_split = std::max(o.validation_split.value_or(0), 0.0);
  FitReport report = run_training(model, d, *data, nullptr, val_split, o, plan, x.source, training);

  nlohmann::json j = nlohmann::json::parse(d.training_json, nullptr, false);
  if (!j.is_object()) j = nlohmann::json::object();
  j["epochs_continued"] = j.value("epochs_continued", std::size_t{0}) + report.history.size();
  if (!report.history.empty()) j["train_loss"] = report.history[report.best_epoch - 1].train_loss;
  p.d_.training_json = j.dump();
  p.model_ = std::move(model);
  p.report_ = std::move(report);
}

template struct PipelineFit<float>;
template struct PipelineFit<double>;

Pipeline Pipeline::fit(const data::Frame& x, const data::Targets& y, const PipelineOptions& options,
                       const data::Frame* val_x, const data::Targets* val_y) {
  return agreeing_before_training(options, [&](bool* training) {
    return options.precision == Precision::f64 ? PipelineFit<double>::run(x, y, options, val_x, val_y, training)
                                               : PipelineFit<float>::run(x, y, options, val_x, val_y, training);
  });
}

void Pipeline::fit_more(const data::Frame& x, const data::Targets& y, const PipelineOptions& options) {
  agreeing_before_training(options, [&](bool* training) {
    if (std::holds_alternative<Model<double>>(model_))
      PipelineFit<double>::more(*this, std::get<Model<double>>(model_), x, y, options, training);
    else
      PipelineFit<float>::more(*this, std::get<Model<float>>(model_), x, y, options, training);
  });
}

}  // namespace mlp
