// The whole-model object: task and class inference, preprocessing, target standardization,
// training, inference in the data's units, metrics, files.
#include "mlp/pipeline/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <zlib.h>

#include "data/array_dataset.h"
#include "mlp/core/error.h"
#include "core/escape.h"
#include "core/format.h"
#include "mlp/formats/checkpoint.h"
#include "core/file.h"
#include "mlp/formats/safetensors.h"
#include "mlp/core/matmul.h"
#include "core/names.h"
#include "mlp/nn/predictor.h"
#include "mlp/data/scaler.h"
#include "pipeline/option_values.h"
#include "pipeline/specs.h"
#include "mlp/core/version.h"

namespace mlp {
namespace {

std::string join(const std::vector<std::string>& names, std::size_t limit = 20) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) s += (i ? ", " : "") + escape_for_message(names[i]);
  if (names.size() > limit) s += ", ...";
  return s;
}

// --- the output side: task, classes, targets ------------------------------------------------

struct TaskChoice {
  bool classification = false;
  std::string reason;
};

// Classification when asked, or when the labels are text, or whole numbers with at most 20
// distinct values.
TaskChoice choose_task(const data::Targets& y, const std::string& requested) {
  if (requested == "classification") {
    if (y.cols != 1) throw InvalidArgument("classification needs exactly one label column");
    return {true, "as asked"};
  }
  if (requested == "regression") {
    if (y.is_text())
      throw InvalidArgument(y.source + ": regression needs numeric targets, but '" + escape_for_message(y.names[0]) + "' holds text");
    return {false, "as asked"};
  }
  if (!requested.empty()) throw InvalidArgument("unknown task '" + requested + "'; valid: regression, classification");
  if (y.is_text()) return {true, "the labels are text"};
  if (y.cols != 1) return {false, std::to_string(y.cols) + " target columns"};
  std::set<double> distinct;
  for (double v : y.values) {
    if (!std::isfinite(v) || v != std::floor(v)) return {false, "the targets are not all whole numbers"};
    distinct.insert(v);
    if (distinct.size() > 20) return {false, "the targets take more than 20 distinct values"};
  }
  if (distinct.size() < 2) return {false, "the targets take a single value"};
  return {true, "the labels are whole numbers with " + std::to_string(distinct.size()) + " distinct values"};
}

void check_labels(const data::Targets& y) {
  if (y.cols != 1)
    throw InvalidArgument(y.source + ": classification takes one label column, got " + std::to_string(y.cols));
  if (!y.not_finite.empty()) throw data::DataError(y.not_finite);
}

std::string label_at(const data::Targets& y, std::size_t r) {
  return y.is_text() ? y.text[r] : format_label(y.values[r]);
}

// The sorted distinct labels' names (text as written; numbers as "3" or "2.5").
std::vector<std::string> class_names(const data::Targets& y) {
  check_labels(y);
  if (y.is_text()) {
    std::set<std::string> names(y.text.begin(), y.text.end());
    return {names.begin(), names.end()};
  }
  std::set<double> values(y.values.begin(), y.values.end());
  std::vector<std::string> names;
  for (double v : values) names.push_back(format_label(v));
  return names;
}

// Each row's class index; throws naming the row for a label not in `classes`.
std::vector<double> encode_labels(const data::Targets& y, const std::vector<std::string>& classes) {
  check_labels(y);
  std::map<std::string, double> index;
  for (std::size_t i = 0; i < classes.size(); ++i) index[classes[i]] = static_cast<double>(i);
  std::vector<double> out(y.rows());
  for (std::size_t r = 0; r < out.size(); ++r) {
    std::string name = label_at(y, r);
    auto it = index.find(name);
    if (it == index.end())
      throw data::DataError(y.places[r] + ": label '" + escape_for_message(name) + "' is not one of the model's classes (" + join(classes) + ")");
    out[r] = it->second;
  }
  return out;
}

const std::vector<double>& regression_targets(const data::Targets& y) {
  if (y.is_text()) throw data::DataError(y.not_numeric);
  if (!y.not_finite.empty()) throw data::DataError(y.not_finite);
  return y.values;
}

// Standardization of regression targets: y' = (y - mean) / std per column (std 0 -> 1).
void fit_target_scaling(const std::vector<double>& y, std::size_t cols, std::vector<double>& offset,
                        std::vector<double>& scale) {
  const std::size_t rows = y.size() / cols;
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

// The targets of `rows` rows, those listed in `kept` (all when it is empty), standardized when
// offset is given, as a matrix of T.
template <typename T>
Matrix<T> target_matrix(const std::vector<double>& values, std::size_t cols, std::size_t rows,
                        const std::vector<std::size_t>& kept, const std::vector<double>& offset,
                        const std::vector<double>& scale) {
  Matrix<T> m(rows, cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t k = 0; k < cols; ++k) {
      const double v = values[(kept.empty() ? i : kept[i]) * cols + k];
      m(i, k) = static_cast<T>(offset.empty() ? v : (v - offset[k]) / scale[k]);
    }
  return m;
}

std::vector<double> select_rows(const std::vector<double>& values, std::size_t cols, const std::vector<std::size_t>& kept) {
  std::vector<double> out(kept.size() * cols);
  for (std::size_t i = 0; i < kept.size(); ++i)
    std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(kept[i] * cols), cols, out.begin() + static_cast<std::ptrdiff_t>(i * cols));
  return out;
}

std::string shape_of(const ModelConfig& c) {
  std::string shape;
  for (std::size_t i = 0; i < c.sizes.size(); ++i) shape += (i ? "-" : "") + std::to_string(c.sizes[i]);
  return shape;
}

// A dataset of preprocessed rows: the encoded features (kept alive here) with their targets,
// scaled per batch.
template <typename T>
struct PreparedData {
  data::Array storage;
  const data::Array* encoded = nullptr;
  // The frame's rows that are in the data when some were dropped; empty when all are (a
  // million-row file need not keep a million indices).
  std::vector<std::size_t> kept;
  PreprocessReport report;
  std::unique_ptr<data::ArrayDataset<T>> raw;
  std::unique_ptr<ScaledDataset<T>> scaled;

  // `width`: the features the network expects (0: whatever the data has).
  PreparedData(const Preprocessor& p, const data::Frame& x, bool drop, std::size_t width = 0) : scaler_(p.scaler) {
    encoded = &p.encode(x, storage, report, kept, drop);
    rows_ = kept.empty() ? x.rows() : kept.size();
    if (width && encoded->cols() != width)
      throw ShapeError(x.source + ": " + std::to_string(encoded->cols()) + " features per row, the model expects " +
                       std::to_string(width));
    set_targets({}, 0, {}, {});
  }

  // What a checkpoint records of the rows, to refuse resuming on other data: their number,
  // width and a CRC-32 of the preprocessed features and targets.
  nlohmann::ordered_json record() const {
    uLong crc = crc32_z(0L, Z_NULL, 0);
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(encoded->bytes()), encoded->byte_size());
    const Matrix<T>& y = raw->target_matrix();
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(y.data()), y.size() * sizeof(T));
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(crc));
    return {{"rows", raw->rows()}, {"features", raw->features()}, {"crc32", hex}};
  }

  // The targets: rows x cols values for all of the frame's rows (standardized with offset and
  // scale when given); empty for none.
  void set_targets(const std::vector<double>& targets, std::size_t cols, const std::vector<double>& offset,
                   const std::vector<double>& scale) {
    Matrix<T> y = targets.empty() ? Matrix<T>(rows_, 0) : target_matrix<T>(targets, cols, rows_, kept, offset, scale);
    scaled.reset();
    raw = std::make_unique<data::ArrayDataset<T>>(*encoded, std::move(y));
    scaled = std::make_unique<ScaledDataset<T>>(*raw, scaler_);
  }

  std::size_t rows() const { return rows_; }  // in the data: the frame's, less any dropped

 private:
  const Scaler& scaler_;
  std::size_t rows_ = 0;
};

// The model's raw outputs for every row of x (rows, outputs), through a Predictor.
template <typename T>
Matrix<T> run_network(const Model<T>& model, const Preprocessor& p, const data::Frame& x, PreprocessReport& report) {
  PreparedData<T> rows(p, x, false, model.inputs());
  report = rows.report;
  const ScaledDataset<T>& scaled = *rows.scaled;
  Predictor<T> predictor(model);
  Matrix<T> out(scaled.rows(), predictor.outputs());
  constexpr std::size_t kChunk = 8192;  // a chunk of scaled rows at a time
  Matrix<T> chunk(std::min(kChunk, scaled.rows()), scaled.features()), no_targets(chunk.rows(), 0);
  std::vector<std::size_t> index(chunk.rows());
  for (std::size_t first = 0; first < scaled.rows(); first += kChunk) {
    const std::size_t n = std::min(kChunk, scaled.rows() - first);
    for (std::size_t i = 0; i < n; ++i) index[i] = first + i;
    scaled.gather(index.data(), n, chunk.data(), no_targets.data());
    predictor.predict(chunk.data(), n, out.row(first));
  }
  return out;
}

}  // namespace

// --- fit ------------------------------------------------------------------------------------

namespace {

// The record of how a model was trained, kept in the model file.
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
  j["monitor"] = o.monitor;
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

// The class names given in the options: at least one, none empty, none twice.
std::vector<std::string> given_classes(const std::vector<std::string>& classes) {
  std::set<std::string> seen;
  for (const std::string& c : classes) {
    if (c.empty()) throw InvalidArgument("classes: a class name is empty");
    if (!seen.insert(c).second) throw InvalidArgument("classes: '" + escape_for_message(c) + "' is given twice");
  }
  return classes;
}

}  // namespace

template <typename T>
struct PipelineFit {
  // The targets of y as the network trains on them: class indices, or regression targets.
  static std::vector<double> targets_of(const io::ModelDescription& d, const data::Targets& y) {
    return d.classification ? encode_labels(y, d.class_names) : regression_targets(y);
  }

  // Checkpoints: what they record of the options and data, and a state to resume from.
  struct Continuation {
    std::string options_json = "{}", data_json = "{}";
    std::optional<TrainState<T>> state;
    std::size_t schedule_epochs = 0;  // the epochs the schedule is made for (0: the options')
  };

  // The fraction of the training rows held out: the options', or without validation data, 10% for
  // regression of at least 20 rows (on small noisy data, early stopping on held-out rows is what
  // keeps a network from overfitting; docs/cli.md).
  static double validation_split(const PipelineOptions& o, bool has_val, bool classification, std::size_t rows) {
    if (has_val && o.validation_split.value_or(0) > 0)
      throw InvalidArgument("give either validation data or a validation split, not both");
    if (o.validation_split) return *o.validation_split;
    return !has_val && !classification && rows >= 20 ? 0.1 : 0;
  }

  // Validation rows prepared as the training rows are.
  static std::unique_ptr<PreparedData<T>> validation_data(const io::ModelDescription& d, const data::Frame& val_x,
                                                          const data::Targets& val_y, std::size_t target_cols,
                                                          std::size_t features) {
    if (!d.classification && val_y.cols != target_cols)
      throw ShapeError(val_y.source + ": " + std::to_string(val_y.cols) + " target columns, the training data has " +
                       std::to_string(target_cols));
    std::vector<double> vt = targets_of(d, val_y);
    auto val = std::make_unique<PreparedData<T>>(d.preprocessor, val_x, d.preprocessor.missing == MissingPolicy::drop, features);
    val->set_targets(vt, target_cols, d.target_offset, d.target_scale);
    return val;
  }

  static std::string data_json(const data::Frame& x, const PreparedData<T>& train, const PreparedData<T>* val) {
    nlohmann::ordered_json j = {{"source", x.source}, {"train", train.record()}};
    j["validation"] = val ? val->record() : nlohmann::ordered_json(nullptr);
    return j.dump();
  }

  // Trains `model` with the options' training settings on prepared rows; validation on `val`, or
  // on a split of `val_split` of the training rows; writes checkpoints when asked.
  static FitReport run_training(Model<T>& model, const io::ModelDescription& d, PreparedData<T>& data, PreparedData<T>* val,
                                double val_split, const PipelineOptions& o, FitPlan& plan, const std::string& source,
                                bool* training, Continuation cont = {}) {
    const std::size_t rows = data.scaled->rows();
    const OptimizerOptions opt = optimizer_options(o.optimizer, o.lr, o.momentum, o.nesterov, o.weight_decay);
    TrainOptions t;
    t.epochs = o.epochs;
    t.batch_size = o.batch_size;
    t.shuffle = o.shuffle;
    t.seed = o.seed;
    t.validation_split = val_split;
    t.early_stopping_patience = o.early_stopping_patience;
    t.min_delta = o.min_delta;
    t.restore_best_weights = o.restore_best_weights;
    t.min_delta_from_best_seen = o.min_delta_from_best_seen;
    t.monitor = o.monitor;
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
    Trainer<T> trainer(model, d.loss, opt, t);
    trainer.on_batch_end = o.callbacks.on_batch_end;
    trainer.on_epoch_end = o.callbacks.on_epoch_end;
    trainer.should_stop = o.callbacks.stop_requested;
    if (!o.checkpoint.empty() && (!o.communicator || o.communicator->rank() == 0)) {
      trainer.checkpoint_every = o.checkpoint_every;
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
    plan.features_data = data.encoded->bytes();
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

  static Pipeline run(const data::Frame& x, const data::Targets& y, const PipelineOptions& o, const data::Frame* val_x,
                      const data::Targets* val_y, bool* training) {
    if (y.rows() != x.rows())
      throw ShapeError(y.source + ": " + std::to_string(y.rows()) + " labels for " + std::to_string(x.rows()) + " rows of " + x.source);
    if ((val_x == nullptr) != (val_y == nullptr)) throw InvalidArgument("fit: validation needs both features and targets");
    if (!o.classes.empty() && o.task == "regression") throw InvalidArgument("classes are given, but the task is regression");
    const TaskChoice task = o.classes.empty() ? choose_task(y, o.task) : choose_task(y, "classification");
    io::ModelDescription d;
    d.classification = task.classification;
    d.feature_names = x.names();
    d.target_names = y.names;
    std::size_t outputs = 0;
    if (task.classification) {
      d.class_names = o.classes.empty() ? class_names(y) : given_classes(o.classes);
      if (d.class_names.size() < 2)
        throw data::DataError(y.source + ": classification needs at least 2 classes, the labels have " +
                              std::to_string(d.class_names.size()) + (d.class_names.size() == 1 ? " class" : " classes"));
      const bool binary = d.class_names.size() == 2;
      d.loss = o.loss.value_or(parse_loss(binary ? "bce_with_logits" : "cross_entropy"));
      if (task_for_loss(d.loss) == Task::regression)
        throw InvalidArgument("loss " + d.loss.name() +
                              " is a regression loss; classification takes cross_entropy, nll, bce or bce_with_logits");
      if (task_for_loss(d.loss) == Task::binary && !binary)
        throw InvalidArgument("loss " + d.loss.name() + " is for two classes; the labels have " +
                              std::to_string(d.class_names.size()) + " (use cross_entropy)");
      outputs = task_for_loss(d.loss) == Task::binary ? 1 : d.class_names.size();
    } else {
      d.loss = o.loss.value_or(parse_loss("mse"));
      if (task_for_loss(d.loss) != Task::regression)
        throw InvalidArgument("loss " + d.loss.name() + " is a classification loss, but the task is regression (" +
                              task.reason + "); ask for the classification task to classify");
      outputs = y.cols;
    }
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
    if (val_x) val = validation_data(d, *val_x, *val_y, target_cols, train.scaled->features());
    const std::size_t features = train.scaled->features();

    // The network: from the options, or the architecture of an mlp model given to start from.
    if (!o.init_from.empty() && !o.hidden && io::is_mlp_model(o.init_from)) {
      d.config = io::read_description(o.init_from).config;
      if (d.config.sizes.front() != features || d.config.sizes.back() != outputs)
        throw ShapeError(o.init_from + ": a model of " + std::to_string(d.config.sizes.front()) + " inputs and " +
                         std::to_string(d.config.sizes.back()) + " outputs; the data needs " + std::to_string(features) +
                         " and " + std::to_string(outputs));
    } else {
      d.config.sizes = {features};
      for (std::size_t w : o.hidden.value_or(std::vector<std::size_t>{100})) d.config.sizes.push_back(w);
      d.config.sizes.push_back(outputs);
      d.config.hidden_activations = o.activation;
      d.config.output = o.output_activation.value_or(parse_activation(
          d.loss.kind == LossKind::nll ? "log_softmax" : d.loss.kind == LossKind::bce ? "sigmoid" : "identity"));
      d.config.dropout = o.dropout;
      d.config.batch_norm = o.batch_norm;
    }
    Model<T> model(d.config);
    Random rng(o.seed);
    init_model(model, o.initializer, rng);
    if (!o.init_from.empty()) io::load_weights(o.init_from, model);

    FitPlan plan;
    plan.columns = x.is_table ? x.columns.size() : x.array.cols();
    for (const ColumnEncoding& c : d.preprocessor.columns) plan.categorical += c.categorical();
    plan.task_reason = o.classes.empty() ? task.reason : "classes given";
    Continuation cont;
    if (!o.checkpoint.empty()) {
      cont.options_json = options_record(o).dump();
      cont.data_json = data_json(x, train, val.get());
    }
    FitReport report = run_training(model, d, train, val.get(), val_split, o, plan, x.source, training, std::move(cont));

    d.training_json = training_record(x.source, plan.rows, o, optimizer_lr(optimizer_options(o.optimizer, o.lr)),
                                      report, std::is_same_v<T, double>)
                          .dump();
    d.weight_dtype = std::is_same_v<T, float> ? "F32" : "F64";
    Pipeline p(std::move(d), std::move(model));
    p.report_ = std::move(report);
    return p;
  }

  // Pipeline::resume: the checkpoint `c` read from `path`, continued on (x, y).
  static Pipeline resume(io::Checkpoint<T> c, const std::string& path, const data::Frame& x, const data::Targets& y,
                         const PipelineOptions& o, const data::Frame* val_x, const data::Targets* val_y, bool* training) {
    if (y.rows() != x.rows())
      throw ShapeError(y.source + ": " + std::to_string(y.rows()) + " labels for " + std::to_string(x.rows()) + " rows of " + x.source);
    if ((val_x == nullptr) != (val_y == nullptr)) throw InvalidArgument("resume: validation needs both features and targets");
    const std::string from = "resume from " + path + ": ";
    // The options: the same as training started with, but for the epochs.
    const nlohmann::json recorded = nlohmann::json::parse(c.options_json);
    if (const std::optional<OptionDifference> d = first_difference(recorded, o))
      throw InvalidArgument(from + "the checkpoint's training has " + d->name + " " + d->recorded + ", these options give " +
                            d->given + "; resume with the options it started with (only the epochs may change)");
    const std::size_t epochs = recorded.contains("epochs") && recorded["epochs"].is_number_unsigned()
                                   ? recorded["epochs"].get<std::size_t>()
                                   : o.epochs;
    if (epochs != o.epochs && o.schedule.starts_with("onecycle"))
      throw InvalidArgument(from + "a one-cycle schedule ends with its " + std::to_string(epochs) +
                            " epochs; it cannot be extended to " + std::to_string(o.epochs));
    const io::ModelDescription& d = c.description;
    if (!d.classification && y.cols != c.model.outputs())
      throw ShapeError(y.source + ": " + std::to_string(y.cols) + " target columns, the model has " +
                       std::to_string(c.model.outputs()) + " outputs");
    const std::size_t target_cols = d.classification ? 1 : y.cols;
    PreparedData<T> train(d.preprocessor, x, d.preprocessor.missing == MissingPolicy::drop, c.model.inputs());
    train.set_targets(targets_of(d, y), target_cols, d.target_offset, d.target_scale);
    const double val_split = validation_split(o, val_x != nullptr, d.classification, train.rows());
    std::unique_ptr<PreparedData<T>> val;
    if (val_x) val = validation_data(d, *val_x, *val_y, target_cols, c.model.inputs());
    // The data: the same rows, features and values as the checkpoint's.
    const std::string data = data_json(x, train, val.get());
    const nlohmann::json had = nlohmann::json::parse(c.data_json), has = nlohmann::json::parse(data);
    for (const char* part : {"train", "validation"}) {
      const nlohmann::json a = had.value(part, nlohmann::json()), b = has.value(part, nlohmann::json());
      if (a == b) continue;
      const std::string what = std::string(part) == "train" ? "training data" : "validation data";
      auto rows = [](const nlohmann::json& r) {
        return r.is_object() ? r.value("rows", nlohmann::json()).dump() + " rows of " + r.value("features", nlohmann::json()).dump() + " features"
                             : std::string("none");
      };
      const std::string source = had.value("source", std::string("?"));
      throw InvalidArgument(from + "the " + what + " differs from the checkpoint's: " +
                            (rows(a) != rows(b) ? x.source + " gives " + rows(b) + ", the checkpoint was trained on " + rows(a) + " of " + source
                                                : "the same " + rows(b) + ", but other values (CRC-32 " + b.value("crc32", std::string("?")) +
                                                      ", the checkpoint's " + a.value("crc32", std::string("?")) + ", from " + source + ")"));
    }
    FitPlan plan;
    plan.columns = x.is_table ? x.columns.size() : x.array.cols();
    for (const ColumnEncoding& e : d.preprocessor.columns) plan.categorical += e.categorical();
    plan.task_reason = "resumed after epoch " + std::to_string(c.state.epochs_done) +
                       (c.state.batches_done ? ", batch " + std::to_string(c.state.batches_done) : "");
    Model<T> model = std::move(c.model);
    io::ModelDescription& desc = c.description;  // stays in place: the prepared rows use its scaler
    nlohmann::ordered_json options = options_record(o);
    options["epochs"] = epochs;  // the schedule's
    Continuation cont{options.dump(), data, std::move(c.state), epochs};
    FitReport report = run_training(model, desc, train, val.get(), val_split, o, plan, x.source, training, std::move(cont));
    nlohmann::json record = training_record(x.source, plan.rows, o, optimizer_lr(optimizer_options(o.optimizer, o.lr)), report,
                                            std::is_same_v<T, double>);
    record["resumed_from"] = path;
    desc.training_json = record.dump();
    desc.weight_dtype = std::is_same_v<T, float> ? "F32" : "F64";
    Pipeline p(std::move(desc), std::move(model));
    p.report_ = std::move(report);
    return p;
  }

  // Pipeline::fit_more on the model `current` of p: trains a copy, which replaces it on success.
  static void more(Pipeline& p, const Model<T>& current, const data::Frame& x, const data::Targets& y,
                   const PipelineOptions& o, bool* training) {
    if (!o.checkpoint.empty())
      throw InvalidArgument("fit_more writes no checkpoints (fit does; resume continues one)");
    if (y.rows() != x.rows())
      throw ShapeError(y.source + ": " + std::to_string(y.rows()) + " labels for " + std::to_string(x.rows()) + " rows of " + x.source);
    const io::ModelDescription& d = p.d_;
    if (!d.classification && y.cols != current.outputs())
      throw ShapeError(y.source + ": " + std::to_string(y.cols) + " target columns, the model has " +
                       std::to_string(current.outputs()) + " outputs");
    const std::vector<double> targets = targets_of(d, y);
    PreparedData<T> data(d.preprocessor, x, d.preprocessor.missing == MissingPolicy::drop, current.inputs());
    data.set_targets(targets, d.classification ? 1 : y.cols, d.target_offset, d.target_scale);
    Model<T> model = current;
    FitPlan plan;
    plan.columns = x.is_table ? x.columns.size() : x.array.cols();
    for (const ColumnEncoding& c : d.preprocessor.columns) plan.categorical += c.categorical();
    plan.task_reason = "continued training";
    const double val_split = std::max(o.validation_split.value_or(0), 0.0);
    FitReport report = run_training(model, d, data, nullptr, val_split, o, plan, x.source, training);

    nlohmann::json j = nlohmann::json::parse(d.training_json, nullptr, false);
    if (!j.is_object()) j = nlohmann::json::object();
    j["epochs_continued"] = j.value("epochs_continued", std::size_t{0}) + report.history.size();
    if (!report.history.empty()) j["train_loss"] = report.history[report.best_epoch - 1].train_loss;
    p.d_.training_json = j.dump();
    p.model_ = std::move(model);
    p.report_ = std::move(report);
  }
};

namespace {

// Data-parallel, an error before training starts (the same data gives the same one everywhere,
// but a process may, say, fail to read a file) is agreed on where the trainer's first collective
// step waits for it; the trainer's own errors already are agreed.
template <typename Fn>
auto agreeing_before_training(const PipelineOptions& o, Fn fn) {
  bool training = false;
  try {
    return fn(&training);
  } catch (...) {
    if (o.communicator && o.communicator->size() > 1 && !training)
      throw_if_any_failed(*o.communicator, std::current_exception());
    throw;
  }
}

}  // namespace

Pipeline Pipeline::fit(const data::Frame& x, const data::Targets& y, const PipelineOptions& options,
                       const data::Frame* val_x, const data::Targets* val_y) {
  return agreeing_before_training(options, [&](bool* training) {
    return options.precision == Precision::f64 ? PipelineFit<double>::run(x, y, options, val_x, val_y, training)
                                               : PipelineFit<float>::run(x, y, options, val_x, val_y, training);
  });
}

Pipeline Pipeline::resume(const std::string& checkpoint, const data::Frame& x, const data::Targets& y,
                          const PipelineOptions& options, const data::Frame* val_x, const data::Targets* val_y) {
  return agreeing_before_training(options, [&](bool* training) {
    const io::FileBytes bytes = io::read_file(checkpoint);
    if (io::description_from_bytes(bytes.view(), checkpoint).weight_dtype == "F64")
      return PipelineFit<double>::resume(io::checkpoint_from_bytes<double>(bytes.view(), checkpoint), checkpoint, x, y,
                                         options, val_x, val_y, training);
    return PipelineFit<float>::resume(io::checkpoint_from_bytes<float>(bytes.view(), checkpoint), checkpoint, x, y,
                                      options, val_x, val_y, training);
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

// --- files ----------------------------------------------------------------------------------

Pipeline Pipeline::load(const std::string& path) {
  io::ModelDescription d = io::read_description(path);
  // In the precision the weights were stored in: F64 tensors run as double, anything else as float.
  if (d.weight_dtype == "F64") {
    io::LoadedModel<double> m = io::load_model<double>(path);
    return Pipeline(std::move(m.description), std::move(m.model));
  }
  io::LoadedModel<float> m = io::load_model<float>(path);
  return Pipeline(std::move(m.description), std::move(m.model));
}

Pipeline Pipeline::deserialize(std::string_view bytes, const std::string& source) {
  io::ModelDescription d = io::description_from_bytes(bytes, source);
  if (d.weight_dtype == "F64") {
    io::LoadedModel<double> m = io::model_from_bytes<double>(bytes, source);
    return Pipeline(std::move(m.description), std::move(m.model));
  }
  io::LoadedModel<float> m = io::model_from_bytes<float>(bytes, source);
  return Pipeline(std::move(m.description), std::move(m.model));
}

std::string Pipeline::serialize() const {
  return std::visit([&](const auto& model) { return io::serialize_model(model, d_); }, model_);
}

void Pipeline::save(const std::string& path) const { io::write_file_atomic(path, serialize()); }

// --- inference ------------------------------------------------------------------------------

Predictions Pipeline::predict(const data::Frame& x) const {
  Predictions p;
  std::vector<double> v;
  std::visit(
      [&](const auto& model) {
        auto out = run_network(model, d_.preprocessor, x, p.preprocessing);
        p.rows = out.rows();
        p.cols = out.cols();
        v.assign(out.data(), out.data() + out.size());
      },
      model_);
  // Probabilities in double from the network's outputs, whatever its precision.
  if (d_.classification) loss_probabilities<double>(d_.loss, v.data(), v.data(), p.rows, p.cols);
  if (!d_.classification) {
    const std::size_t k = p.cols;
    if (!d_.target_offset.empty())
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = v[i] * d_.target_scale[i % k] + d_.target_offset[i % k];
    p.values = std::move(v);
    return p;
  }
  const std::size_t classes = d_.class_names.size();
  if (p.cols == 1 && classes == 2) {  // one sigmoid output: the probability of the second class
    p.values.resize(p.rows * 2);
    for (std::size_t r = 0; r < p.rows; ++r) p.values[2 * r] = 1 - v[r], p.values[2 * r + 1] = v[r];
    p.cols = 2;
  } else {
    p.values = std::move(v);
  }
  p.classes = predicted_classes(p.values.data(), p.rows, p.cols);
  return p;
}

Matrix<double> Pipeline::predict_proba(const data::Frame& x) const {
  if (!d_.classification) throw InvalidArgument("predict_proba: the model does regression, it has no classes");
  Predictions p = predict(x);
  Matrix<double> m(p.rows, p.cols);
  std::copy(p.values.begin(), p.values.end(), m.data());
  return m;
}

EvaluationReport Pipeline::evaluate(const data::Frame& x, const data::Targets& y) const {
  if (y.rows() != x.rows())
    throw ShapeError(y.source + ": " + std::to_string(y.rows()) + " labels for " + std::to_string(x.rows()) + " rows of " + x.source);
  EvaluationReport r;
  if (d_.classification) {
    std::vector<double> labels = encode_labels(y, d_.class_names);  // before the work of predicting
    Predictions p = predict(x);
    r.rows = p.rows;
    r.preprocessing = p.preprocessing;
    r.classification = classification_metrics(p.values.data(), labels.data(), p.rows, p.cols, 5);
    r.loss = r.classification->log_loss;  // the cross-entropy of the predicted probabilities
    return r;
  }
  const std::vector<double>& targets = regression_targets(y);
  Predictions p = predict(x);
  if (y.cols != p.cols)
    throw ShapeError(y.source + ": " + std::to_string(y.cols) + " target columns, the model has " + std::to_string(p.cols) + " outputs");
  r.rows = p.rows;
  r.preprocessing = p.preprocessing;
  r.regression = regression_metrics(p.values.data(), targets.data(), p.rows, p.cols);
  r.loss = loss_forward(d_.loss, p.values.data(), targets.data(), p.rows, p.cols);
  return r;
}

// --- description ----------------------------------------------------------------------------

std::size_t Pipeline::parameter_count() const {
  return std::visit([](const auto& m) { return m.parameters().size(); }, model_);
}

std::size_t Pipeline::layers() const { return d_.config.sizes.size() - 1; }

Matrix<double> Pipeline::weight(std::size_t layer) const {
  if (layer >= layers()) throw InvalidArgument("weight: no layer " + std::to_string(layer) + " in a network of " + std::to_string(layers()));
  return std::visit(
      [&](const auto& m) {
        const auto w = m.weight_matrix(layer);
        Matrix<double> out(w.rows(), w.cols());
        std::copy(w.data(), w.data() + w.size(), out.data());
        return out;
      },
      model_);
}

std::vector<double> Pipeline::bias(std::size_t layer) const {
  if (layer >= layers()) throw InvalidArgument("bias: no layer " + std::to_string(layer) + " in a network of " + std::to_string(layers()));
  return std::visit(
      [&](const auto& m) { return std::vector<double>(m.bias(layer), m.bias(layer) + m.layer_outputs(layer)); }, model_);
}

std::string Pipeline::info_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(io::description_json(d_));
  j["parameters"] = parameter_count();
  j["dtype"] = d_.weight_dtype.empty() ? (precision() == Precision::f64 ? "F64" : "F32") : d_.weight_dtype;
  return j.dump();
}

std::string Pipeline::info_text(const std::string& name) const {
  const ModelConfig& c = d_.config;
  std::string acts;
  for (std::size_t i = 0; i < c.hidden_activations.size(); ++i) acts += (i ? "," : "") + c.hidden_activations[i].name();
  nlohmann::json info = nlohmann::json::parse(info_json());
  std::string s;
  auto line = [&](const char* key, const std::string& value) { s += std::string(key) + std::string(13 - std::string(key).size(), ' ') + value + "\n"; };
  line("model", name + " (mlp model format " + std::to_string(d_.format_version) +
                    (d_.mlp_version.empty() ? "" : ", written by mlp " + d_.mlp_version) + ")");
  line("layers", shape_of(c) + ", hidden activation " + acts + ", output " + c.output.name() +
                     (c.batch_norm ? ", batch norm" : "") + (c.dropout > 0 ? ", dropout " + format_repr(c.dropout) : ""));
  line("parameters", std::to_string(parameter_count()) + " (" + info["dtype"].get<std::string>() + ")");
  line("task", std::string(d_.classification ? "classification" : "regression") + ", loss " + d_.loss.name());
  if (d_.classification) line("classes", std::to_string(d_.class_names.size()) + ": " + join(d_.class_names, 30));
  const Preprocessor& p = d_.preprocessor;
  std::size_t categorical = 0;
  for (const ColumnEncoding& e : p.columns) categorical += e.categorical();
  line("features", std::to_string(c.sizes.front()) +
                       (p.columns.empty() ? (d_.feature_names.empty() ? "" : " (named columns)")
                                          : " from " + std::to_string(p.columns.size()) + " columns" +
                                                (categorical ? " (" + std::to_string(categorical) + " categorical, one-hot)" : "")));
  line("scaling", scale_name(p.scaler.kind) + (d_.target_offset.empty() ? "" : "; targets standardized") +
                      "; missing values: " + missing_policy_name(p.missing));
  line("training", d_.training_json);
  return s;
}

}  // namespace mlp
