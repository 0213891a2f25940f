// How the model object trains (Pipeline::fit, resume and fit_more, a friend of Pipeline): the
// rows prepared for a description, the options turned into a Trainer's, checkpoints, and the
// training record kept in the model file. fit.cpp defines fit and fit_more, resume.cpp resume.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mlp/formats/checkpoint.h"
#include "mlp/pipeline/pipeline.h"
#include "pipeline/prepared_data.h"

namespace mlp {

// The record of how a model was trained, kept in the model file.
nlohmann::json training_record(const std::string& source, std::size_t rows, const PipelineOptions& o, double lr,
                               const FitReport& report, bool f64);

// Data-parallel, an error before training starts (the same data gives the same one everywhere,
// but a process may, say, fail to read a file) is agreed on where the trainer's first collective
// step waits for it; the trainer's own errors already are agreed. fn(bool* training) sets
// *training once the trainer has started.
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

template <typename T>
struct PipelineFit {
  // The targets of y as the network trains on them: class indices, or regression targets.
  static std::vector<double> targets_of(const io::ModelDescription& d, const data::Targets& y);

  // Checkpoints: what they record of the options and data, and a state to resume from.
  struct Continuation {
    std::string options_json = "{}", data_json = "{}";
    std::optional<TrainState<T>> state;
    std::size_t schedule_epochs = 0;  // the epochs the schedule is made for (0: the options')
  };


  // The fraction of the training rows held out: the options', or without validation data, 10% for
  // regression of at least 20 rows (on small noisy data, early stopping on held-out rows is what
  // keeps a network from overfitting; docs/cli.md).
  static double validation_split(const PipelineOptions& o, bool has_val, bool classification, std::size_t rows);

  static std::string data_json(const data::Frame& x, const PreparedData<T>& train, const PreparedData<T>* val);

  // Rows (x, y) for a description and its network of `inputs` and `outputs`: a label for every
  // row, as many target columns as outputs (regression), encoded by the description's
  // preprocessing, with their targets. Training, validation, resumed and continued rows alike.
  static std::unique_ptr<PreparedData<T>> prepare(const io::ModelDescription& d, std::size_t inputs, std::size_t outputs,
                                                  const data::Frame& x, const data::Targets& y);
  // What a fit reports before training: the frame's columns, the categorical ones, and `reason`
  // (why this task, or how training continues).
  static FitPlan plan_of(const io::ModelDescription& d, const data::Frame& x, std::string reason);
  // The trained pipeline, its training record completed with the model's dtype.
  static Pipeline finish(io::ModelDescription d, Model<T> model, FitReport report, const nlohmann::json& record);

  // Trains `model` with the options' training settings on prepared rows; validation on `val`, or
  // on a split of `val_split` of the training rows; writes checkpoints when asked.
  static FitReport run_training(Model<T>& model, const io::ModelDescription& d, PreparedData<T>& data, PreparedData<T>* val,
                                double val_split, const PipelineOptions& o, FitPlan& plan, const std::string& source,
                                bool* training, Continuation cont = {});

  static Pipeline run(const data::Frame& x, const data::Targets& y, const PipelineOptions& o, const data::Frame* val_x,
                      const data::Targets* val_y, bool* training);

  // Pipeline::resume: the checkpoint `c` read from `path`, continued on (x, y).
  static Pipeline resume(io::Checkpoint<T> c, const std::string& path, const data::Frame& x, const data::Targets& y,
                         const PipelineOptions& o, const data::Frame* val_x, const data::Targets* val_y, bool* training);

  // Pipeline::fit_more on the model `current` of p: trains a copy, which replaces it on success.
  static void more(Pipeline& p, const Model<T>& current, const data::Frame& x, const data::Targets& y,
                   const PipelineOptions& o, bool* training);
};

}  // namespace mlp
