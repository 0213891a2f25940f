// Checkpoints: a model file (mlp info and predict read it as the model it holds, with the
// weights of the moment it was written) that also holds what resuming training needs: the
// trainer's TrainState (optimizer buffers, schedule, counters, random states, early stopping,
// history) and records of the options and data training was started with.
#pragma once

#include <string>
#include <string_view>

#include "mlp/formats/model_file.h"
#include "mlp/train/trainer.h"

namespace mlp::io {

inline constexpr int kCheckpointFormatVersion = 1;

template <typename T>
struct Checkpoint {
  ModelDescription description;
  Model<T> model;
  TrainState<T> state;
  std::string options_json = "{}";  // a JSON object: the options training started with
  std::string data_json = "{}";     // a JSON object: what it trained on
};

// The checkpoint file's bytes: the model's tensors and description as serialize_model writes
// them, the state's buffers as more tensors (checkpoint.*) and the rest in
// __metadata__["mlp_checkpoint"]. options_json and data_json must be JSON objects.
template <typename T>
std::string serialize_checkpoint(const Model<T>& model, const ModelDescription& description, const TrainState<T>& state,
                                 const std::string& options_json, const std::string& data_json);

// Reads serialize_checkpoint's bytes, converting the tensors to T; `source` names them in
// messages. Throws mlp::Error naming the source for anything else: not a model file, a model
// without a checkpoint ("... is a model, not a checkpoint"), a newer format, missing or
// malformed fields, buffers whose sizes do not match the model.
template <typename T>
Checkpoint<T> checkpoint_from_bytes(std::string_view bytes, const std::string& source);

}  // namespace mlp::io
