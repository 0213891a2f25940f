// Pipeline::resume: a checkpoint's training continued, after checking that the options and the
// data are the ones it was written with.
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "mlp/core/error.h"
#include "mlp/formats/checkpoint.h"
#include "mlp/formats/model_file.h"
#include "pipeline/fit.h"
#include "pipeline/option_values.h"

namespace mlp {

// Pipeline::resume: the checkpoint `c` read from `path`, continued on (x, y).
template <typename T>
Pipeline PipelineFit<T>::resume(io::Checkpoint<T> c, const std::string& path, const data::Frame& x, const data::Targets& y,
                                const PipelineOptions& o, const data::Frame* val_x, const data::Targets* val_y, bool* training) {
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
  const std::unique_ptr<PreparedData<T>> train = prepare(d, c.model.inputs(), c.model.outputs(), x, y);
  const double val_split = validation_split(o, val_x != nullptr, d.classification, train->rows());
  std::unique_ptr<PreparedData<T>> val;
  if (val_x) val = prepare(d, c.model.inputs(), c.model.outputs(), *val_x, *val_y);
  // The data: the same rows, features and values as the checkpoint's.
  const std::string data = data_json(x, *train, val.get());
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
  FitPlan plan = plan_of(d, x, "resumed after epoch " + std::to_string(c.state.epochs_done) +
                                   (c.state.batches_done ? ", batch " + std::to_string(c.state.batches_done) : ""));
  Model<T> model = std::move(c.model);
  io::ModelDescription& desc = c.description;  // stays in place: the prepared rows use its scaler
  nlohmann::ordered_json options = options_record(o);
  options["epochs"] = epochs;  // the schedule's
  Continuation cont{options.dump(), data, std::move(c.state), epochs};
  FitReport report = run_training(model, desc, *train, val.get(), val_split, o, plan, x.source, training, std::move(cont));
  nlohmann::json record = training_record(x.source, plan.rows, o, optimizer_lr(optimizer_options(o.optimizer, o.lr)), report,
                                          std::is_same_v<T, double>);
  record["resumed_from"] = path;
  return finish(std::move(desc), std::move(model), std::move(report), record);
}

template struct PipelineFit<float>;
template struct PipelineFit<double>;

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

}  // namespace mlp
