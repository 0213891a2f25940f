// Whole models in safetensors files: the tensors PyTorch would name (layers.{i}.weight (out, in),
// layers.{i}.bias, norms.{i}.* for batch normalization) and, in __metadata__["mlp"], a versioned
// JSON description: architecture, task, preprocessing, class names, how it was trained.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mlp/formats/safetensors.h"
#include "mlp/nn/loss.h"
#include "mlp/nn/model.h"
#include "mlp/data/preprocessor.h"

namespace mlp::io {

// 2 added the input columns' encodings (imputation, categories) and the missing-value policy;
// version 1 files read as numeric columns without imputation.
inline constexpr int kModelFormatVersion = 2;

// Everything about a model that is not its weights.
struct ModelDescription {
  ModelConfig config;
  Loss loss;
  bool classification = false;
  std::vector<std::string> feature_names;  // the input columns; may be empty (NPY, IDX data)
  std::vector<std::string> target_names;
  std::vector<std::string> class_names;    // classification: index -> name
  Preprocessor preprocessor;               // input columns -> features (imputation, one-hot, scaling)
  // Regression targets are standardized for training: y' = (y - offset) / scale. Empty: none.
  std::vector<double> target_offset, target_scale;
  std::string training_json = "{}";        // a JSON object: settings, epochs, final metrics
  // Read from the file, not written: the stored dtype of layers.0.weight ("F32", "F64", ...; empty
  // for a description not read from a file). The tensors, not the description, say how the
  // weights were kept.
  std::string weight_dtype;
  // Read from the file: its format version and the mlp version that wrote it (empty before 0.2).
  int format_version = kModelFormatVersion;
  std::string mlp_version;
};

// The description as stored in a model file's __metadata__["mlp"]: a JSON object.
std::string description_json(const ModelDescription& description);

// The tensor names of layer i.
std::string weight_name(std::size_t layer);
std::string bias_name(std::size_t layer);

// The model file's bytes: the tensors are F32 for Model<float> and F64 for Model<double>.
template <typename T>
std::string serialize_model(const Model<T>& model, const ModelDescription& description);

// Writes the model atomically (a failed write leaves an existing file as it was).
template <typename T>
void save_model(const std::string& path, const Model<T>& model, const ModelDescription& description);

template <typename T>
struct LoadedModel {
  ModelDescription description;
  Model<T> model;
};

// Reads a model written by save_model, converting its tensors to T. Throws mlp::Error naming the
// file for anything that is not such a model: not safetensors, no or a newer mlp description,
// missing tensors, shapes that disagree with the description.
template <typename T>
LoadedModel<T> load_model(const std::string& path);

// As read_description and load_model, from a model file's bytes held in memory (serialize_model's
// output); `source` names them in messages. Throws as they do.
ModelDescription description_from_bytes(std::string_view bytes, const std::string& source);
template <typename T>
LoadedModel<T> model_from_bytes(std::string_view bytes, const std::string& source);

// The same as tensors, for a file that holds a model and more (a checkpoint): model_tensors is
// what serialize_model writes; model_from_tensors reads the model out of a parsed file, ignoring
// tensors that are not the model's.
template <typename T>
SafeTensors model_tensors(const Model<T>& model, const ModelDescription& description);
template <typename T>
LoadedModel<T> model_from_tensors(const SafeTensors& tensors, const std::string& source);

// Whether the file at `path` holds an mlp model description; reads only its header.
bool is_mlp_model(const std::string& path);
// The description stored in an mlp model file (the weights are not read).
ModelDescription read_description(const std::string& path);

// Copies weights into `model` from any safetensors file that has layers.{i}.weight and
// layers.{i}.bias (and, for batch-normalized layers, norms.{i}.weight/bias/running_mean/
// running_var) with the model's shapes, in F32, F64 or another convertible dtype.
// Throws mlp::Error naming the first missing tensor or mismatched shape (both shapes).
template <typename T>
void load_weights(const std::string& path, Model<T>& model);

}  // namespace mlp::io
