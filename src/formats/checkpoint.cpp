// Checkpoint files: a model file plus the training state, as tensors and a JSON record.
#include "mlp/formats/checkpoint.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "mlp/core/error.h"
#include "core/escape.h"
#include "mlp/formats/safetensors.h"
#include "mlp/core/random.h"

namespace mlp::io {
namespace {

using nlohmann::json;

constexpr const char* kKey = "mlp_checkpoint";

// Doubles that may be infinite or NaN (a best value not yet set, a missing validation loss):
// JSON numbers when finite, else the strings "inf", "-inf", "nan".
json number(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

double number_of(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (j == "inf") return std::numeric_limits<double>::infinity();
  if (j == "-inf") return -std::numeric_limits<double>::infinity();
  if (j == "nan") return std::numeric_limits<double>::quiet_NaN();
  throw std::invalid_argument("a number was expected, got " + j.dump());
}

json optional_number(const std::optional<double>& v) { return v ? number(*v) : json(nullptr); }

std::optional<double> optional_number_of(const json& j) {
  if (j.is_null()) return std::nullopt;
  return number_of(j);
}

std::size_t count_of(const json& j) {
  const double v = number_of(j);
  if (!(v >= 0) || v != std::floor(v) || v > 9.0e15) throw std::invalid_argument("a count was expected, got " + j.dump());
  return static_cast<std::size_t>(v);
}

json epoch_json(const EpochStats& e) {
  json metrics = json::array();
  for (const auto& [name, value] : e.val_metrics) metrics.push_back({name, number(value)});
  return {{"epoch", e.epoch},           {"train_loss", number(e.train_loss)}, {"val_loss", number(e.val_loss)},
          {"val_metrics", metrics},     {"lr", number(e.lr)},                 {"seconds", number(e.seconds)},
          {"wait_seconds", number(e.wait_seconds)}};
}

EpochStats epoch_of(const json& j) {
  EpochStats e;
  e.epoch = count_of(j.at("epoch"));
  e.train_loss = number_of(j.at("train_loss"));
  e.val_loss = number_of(j.at("val_loss"));
  for (const json& m : j.at("val_metrics")) e.val_metrics.emplace_back(m.at(0).get<std::string>(), number_of(m.at(1)));
  e.lr = number_of(j.at("lr"));
  e.seconds = number_of(j.at("seconds"));
  e.wait_seconds = number_of(j.at("wait_seconds"));
  return e;
}

std::string buffer_name(const std::string& name) { return "checkpoint.optimizer." + name; }

template <typename T>
void add_values(SafeTensors& st, const std::string& name, const std::vector<T>& values) {
  if constexpr (sizeof(T) == 4)
    st.add_f32(name, {values.size()}, values);
  else
    st.add_f64(name, {values.size()}, values);
}

template <typename T>
std::vector<T> values_of(const SafeTensors& st, const std::string& name, const std::string& source) {
  if (!st.contains(name)) throw Error(source + ": not a complete checkpoint: no tensor '" + name + "'");
  if constexpr (sizeof(T) == 4)
    return st.get_f32(name);
  else
    return st.get_f64(name);
}

}  // namespace

template <typename T>
std::string serialize_checkpoint(const Model<T>& model, const ModelDescription& description, const TrainState<T>& s,
                                 const std::string& options_json, const std::string& data_json) {
  SafeTensors st = model_tensors(model, description);
  json optimizer_numbers = json::object(), buffers = json::array();
  for (const auto& [name, value] : s.optimizer.numbers) optimizer_numbers[name] = number(value);
  for (const auto& [name, values] : s.optimizer.buffers) {
    buffers.push_back(name);
    add_values(st, buffer_name(name), values);
  }
  add_values(st, "checkpoint.best_params", s.best_params);
  add_values(st, "checkpoint.best_buffers", s.best_buffers);
  const LrScheduler::State& sc = s.scheduler;
  json history = json::array();
  for (const EpochStats& e : s.history) history.push_back(epoch_json(e));
  json j = {{"format", "mlp.cpp checkpoint"},
            {"version", kCheckpointFormatVersion},
            {"options", json::parse(options_json)},
            {"data", json::parse(data_json)},
            {"epochs_done", s.epochs_done},
            {"batches_done", s.batches_done},
            {"loss_sum", number(s.loss_sum)},
            {"epoch_lr", number(s.epoch_lr)},
            {"epoch_seconds", number(s.epoch_seconds)},
            {"finished", s.finished},
            {"shuffle_rng", s.shuffle_rng},
            {"dropout_rng", s.dropout_rng},
            {"optimizer", {{"numbers", optimizer_numbers}, {"buffers", buffers}}},
            {"scheduler",
             {{"base_lr", number(sc.base_lr)},
              {"lr", number(sc.lr)},
              {"base_momentum", optional_number(sc.base_momentum)},
              {"momentum", optional_number(sc.momentum)},
              {"steps", sc.steps},
              {"best", number(sc.best)},
              {"bad_epochs", sc.bad_epochs},
              {"cooldown_left", sc.cooldown_left},
              {"started", sc.started}}},
            {"best_metric", number(s.best_metric)},
            {"best_epoch", s.best_epoch},
            {"bad_epochs", s.bad_epochs},
            {"history", history}};
  st.metadata[kKey] = j.dump();
  return serialize_safetensors(st);
}

template <typename T>
Checkpoint<T> checkpoint_from_bytes(std::string_view bytes, const std::string& source) {
  SafeTensors st = parse_safetensors(bytes, source);
  LoadedModel<T> loaded = model_from_tensors<T>(st, source);
  const auto found = st.metadata.find(kKey);
  if (found == st.metadata.end())
    throw Error(source + ": a model, not a checkpoint (train with --checkpoint to write one)");
  Checkpoint<T> c{std::move(loaded.description), std::move(loaded.model), {}, "{}", "{}"};
  try {
    const json j = json::parse(found->second);
    if (j.at("format") != "mlp.cpp checkpoint") throw std::invalid_argument("unknown format " + j.at("format").dump());
    if (!j.at("version").is_number_integer() || j.at("version").get<int>() > kCheckpointFormatVersion)
      throw std::invalid_argument("format " + j.at("version").dump() + " is newer than this mlp reads (" +
                                  std::to_string(kCheckpointFormatVersion) + "); use a newer mlp");
    if (!j.at("options").is_object() || !j.at("data").is_object()) throw std::invalid_argument("options or data is not an object");
    c.options_json = j.at("options").dump();
    c.data_json = j.at("data").dump();
    TrainState<T>& s = c.state;
    s.epochs_done = count_of(j.at("epochs_done"));
    s.batches_done = count_of(j.at("batches_done"));
    s.loss_sum = number_of(j.at("loss_sum"));
    s.epoch_lr = number_of(j.at("epoch_lr"));
    s.epoch_seconds = number_of(j.at("epoch_seconds"));
    s.finished = j.at("finished").get<bool>();
    s.shuffle_rng = j.at("shuffle_rng").get<std::string>();
    s.dropout_rng = j.at("dropout_rng").get<std::string>();
    for (const auto& [name, value] : j.at("optimizer").at("numbers").items()) s.optimizer.numbers.emplace_back(name, number_of(value));
    for (const json& name : j.at("optimizer").at("buffers")) {
      const std::string n = name.get<std::string>();
      s.optimizer.buffers.emplace_back(n, values_of<T>(st, buffer_name(n), source));
    }
    const json& sc = j.at("scheduler");
    s.scheduler.base_lr = number_of(sc.at("base_lr"));
    s.scheduler.lr = number_of(sc.at("lr"));
    s.scheduler.base_momentum = optional_number_of(sc.at("base_momentum"));
    s.scheduler.momentum = optional_number_of(sc.at("momentum"));
    s.scheduler.steps = count_of(sc.at("steps"));
    s.scheduler.best = number_of(sc.at("best"));
    s.scheduler.bad_epochs = count_of(sc.at("bad_epochs"));
    s.scheduler.cooldown_left = count_of(sc.at("cooldown_left"));
    s.scheduler.started = sc.at("started").get<bool>();
    s.best_params = values_of<T>(st, "checkpoint.best_params", source);
    s.best_buffers = values_of<T>(st, "checkpoint.best_buffers", source);
    s.best_metric = number_of(j.at("best_metric"));
    s.best_epoch = count_of(j.at("best_epoch"));
    s.bad_epochs = count_of(j.at("bad_epochs"));
    for (const json& e : j.at("history")) s.history.push_back(epoch_of(e));
    Random check;
    check.set_state(s.shuffle_rng);
    check.set_state(s.dropout_rng);
  } catch (const std::exception& e) {  // nlohmann's type and range errors, ours above, Random's
    throw Error(source + ": not a valid checkpoint: " + escape_for_message(e.what(), std::string_view::npos));
  }
  return c;
}

template std::string serialize_checkpoint<float>(const Model<float>&, const ModelDescription&, const TrainState<float>&,
                                                 const std::string&, const std::string&);
template std::string serialize_checkpoint<double>(const Model<double>&, const ModelDescription&, const TrainState<double>&,
                                                  const std::string&, const std::string&);
template Checkpoint<float> checkpoint_from_bytes<float>(std::string_view, const std::string&);
template Checkpoint<double> checkpoint_from_bytes<double>(std::string_view, const std::string&);

}  // namespace mlp::io
