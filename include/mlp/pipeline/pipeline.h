// A whole trained model, as scikit-learn's Pipeline is one: the input columns and their
// preprocessing, the network, and the output side (task, class names, target scaling, how
// outputs become probabilities). fit, predict, predict_proba, evaluate, save and load; the CLI,
// the Python module and the exporters are thin layers over it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mlp/data/load.h"
#include "mlp/pipeline/options.h"
#include "mlp/nn/init.h"
#include "mlp/formats/model_file.h"
#include "mlp/train/metrics.h"
#include "mlp/nn/model.h"
#include "mlp/data/preprocessor.h"
#include "mlp/train/trainer.h"

namespace mlp {

// What fit is about to do, for a caller that reports it before training starts.
struct FitPlan {
  std::size_t rows = 0, columns = 0, categorical = 0, features = 0;  // features: encoded width
  bool classification = false;
  std::string task_reason;  // why this task ("the labels are text", "as asked", ...)
  std::size_t classes = 0;
  std::string shape;        // "8-100-1"
  std::size_t parameters = 0;
  std::string loss;
  double validation_split = 0;
  PreprocessReport preprocessing;  // what preprocessing did to the training rows
};

// How fit went.
struct FitReport {
  std::vector<EpochStats> history;
  std::size_t best_epoch = 0;  // the epoch whose weights the model holds (0: none run)
  bool stopped_early = false;
  bool interrupted = false;  // stop_requested ended training
  double seconds = 0;
};

// A model's outputs for some rows.
struct Predictions {
  std::size_t rows = 0, cols = 0;
  // Regression: rows x outputs in the targets' units. Classification: rows x classes probabilities.
  std::vector<double> values;
  std::vector<std::size_t> classes;  // classification: each row's predicted class index
  PreprocessReport preprocessing;    // imputed cells, unseen categories
};

// The loss and the task's metrics on labelled rows.
struct EvaluationReport {
  std::size_t rows = 0;
  double loss = 0;  // classification: the log loss of the probabilities; regression: the model's loss
  std::optional<ClassificationMetrics> classification;
  std::optional<RegressionMetrics> regression;
  PreprocessReport preprocessing;
};

class Pipeline {
 public:
  // Chooses the task, learns the preprocessing and the output side from the training rows, and
  // trains. Validation data, when given, is read as the training data. Throws DataError for data
  // that cannot be used (one class, a label unknown to the validation set, ...), InvalidArgument
  // for bad options, NumericError when training diverges (naming the data).
  static Pipeline fit(const data::Frame& x, const data::Targets& y, const PipelineOptions& options = {},
                      const data::Frame* val_x = nullptr, const data::Targets* val_y = nullptr);
  // More epochs from the current weights on (x, y), for incremental learning (scikit-learn's
  // partial_fit): the preprocessing, classes, target scaling and network stay as they are, and
  // every label must be one of the classes. Of the options, the training settings apply
  // (optimizer, lr, momentum, weight decay, schedule, batch size, epochs, seed, shuffle,
  // validation split, early stopping, monitor, min_delta, clipping, callbacks); the optimizer
  // starts afresh (no moments carried over). fit_report() then describes this run. On an
  // exception (bad data, a callback's, divergence) the model is unchanged.
  void fit_more(const data::Frame& x, const data::Targets& y, const PipelineOptions& options = {});

  // Continues the training a checkpoint (PipelineOptions::checkpoint) holds, to options.epochs,
  // on the same data: the model ends bit for bit as the run that wrote the checkpoint would have
  // ended without stopping. The options must be those training started with, but for epochs
  // (to extend a run; the schedule stays the one made for the original epochs), checkpoint,
  // checkpoint_every and the callbacks; throws InvalidArgument naming the first option that
  // differs, or how the data differs from the checkpoint's (rows, features, or values: a CRC-32
  // of the preprocessed rows and targets), and Error for a file that is no checkpoint.
  static Pipeline resume(const std::string& checkpoint, const data::Frame& x, const data::Targets& y,
                         const PipelineOptions& options = {}, const data::Frame* val_x = nullptr,
                         const data::Targets* val_y = nullptr);

  // Reads a model written by save (or by mlp 0.1); throws Error naming the file.
  static Pipeline load(const std::string& path);
  // The same from a model file's bytes (serialize()'s); `source` names them in messages.
  static Pipeline deserialize(std::string_view bytes, const std::string& source = "model bytes");
  // Writes the model file atomically; serialize() gives its bytes.
  void save(const std::string& path) const;
  std::string serialize() const;

  Predictions predict(const data::Frame& x) const;
  // Class probabilities (rows, classes); throws InvalidArgument for a regression model.
  Matrix<double> predict_proba(const data::Frame& x) const;
  // y as fit reads it: class names (or numbers) for classification, targets for regression.
  EvaluationReport evaluate(const data::Frame& x, const data::Targets& y) const;

  const io::ModelDescription& description() const { return d_; }
  bool classification() const { return d_.classification; }
  const std::vector<std::string>& classes() const { return d_.class_names; }
  Precision precision() const { return std::holds_alternative<Model<float>>(model_) ? Precision::f32 : Precision::f64; }
  std::size_t parameter_count() const;
  // The network's dense layers: layer i's weight (out, in), as torch.nn.Linear's, and bias (out),
  // in double. They act on the scaled features and, for regression, give standardized targets.
  std::size_t layers() const;
  Matrix<double> weight(std::size_t layer) const;
  std::vector<double> bias(std::size_t layer) const;
  // The network itself, in its precision: what the exporters (ONNX, C source) write out.
  const std::variant<Model<float>, Model<double>>& network() const { return model_; }
  // What `mlp info` prints: a JSON object (the stored description, parameters, dtype), or text.
  std::string info_json() const;
  std::string info_text(const std::string& name) const;
  // After fit; empty for a loaded model.
  const FitReport& fit_report() const { return report_; }

 private:
  template <typename T>
  friend struct PipelineFit;
  Pipeline(io::ModelDescription d, std::variant<Model<float>, Model<double>> model)
      : d_(std::move(d)), model_(std::move(model)) {}

  io::ModelDescription d_;
  std::variant<Model<float>, Model<double>> model_;
  FitReport report_;
};

}  // namespace mlp
