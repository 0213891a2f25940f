// A sequential model: dense layers, each hidden one followed by optional batch normalization,
// an activation and optional dropout; an optional output activation after the last layer.
// Parameters, gradients and running statistics live in flat buffers; the layers themselves are
// the free functions of dense.h, batch_norm.h, activation.h and dropout.h.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "mlp/nn/activation.h"
#include "mlp/core/bf16.h"
#include "mlp/core/random.h"
#include "mlp/core/tensor.h"

namespace mlp {

struct ModelConfig {
  // Layer widths: inputs, each hidden layer, outputs. {2, 4, 1} is the tutorial's network.
  std::vector<std::size_t> sizes;
  // The hidden layers' activations: one for all, or one per hidden layer.
  std::vector<Activation> hidden_activations = {Activation{ActivationKind::relu}};
  // Applied to the last layer's output; identity gives a linear output as in the tutorial.
  Activation output = Activation{ActivationKind::identity};
  // Inverted dropout after each hidden activation, active only in training: p in [0, 1).
  double dropout = 0;
  // torch.nn.BatchNorm1d between each hidden dense layer and its activation.
  bool batch_norm = false;
  double batch_norm_momentum = 0.1;
  double batch_norm_eps = 1e-5;
};

template <typename T>
class Model {
 public:
  // Throws InvalidArgument for fewer than two sizes, a zero width, a wrong number of activations,
  // dropout outside [0, 1), or bad batch-norm settings. The new model is initialized as
  // torch.nn.Linear's default (init_default from Random(0)); batch norm starts at gamma 1, beta 0,
  // running mean 0, running variance 1. init_model re-initializes the weights and biases.
  explicit Model(ModelConfig config);

  // A copy is a model of its own: parameters, gradients, running statistics, the dropout generator
  // and the last forward pass's buffers, none of them shared. A copy made between forward() and
  // backward() can run backward() itself (the x of that forward must still be alive).
  Model(const Model&) = default;
  Model& operator=(const Model&) = default;
  Model(Model&&) = default;
  Model& operator=(Model&&) = default;

  const ModelConfig& config() const { return config_; }
  std::size_t num_layers() const { return config_.sizes.size() - 1; }
  std::size_t inputs() const { return config_.sizes.front(); }
  std::size_t outputs() const { return config_.sizes.back(); }
  std::size_t layer_inputs(std::size_t layer) const { return config_.sizes[layer]; }
  std::size_t layer_outputs(std::size_t layer) const { return config_.sizes[layer + 1]; }
  const Activation& activation(std::size_t layer) const;  // the one after layer `layer`
  // Hidden layers have batch normalization when config().batch_norm; the output layer never.
  bool has_batch_norm(std::size_t layer) const { return config_.batch_norm && layer + 1 < num_layers(); }

  // Training mode (the default) uses dropout and batch statistics; evaluation mode uses neither
  // dropout nor batch statistics but the running ones, as torch's train() / eval().
  void set_training(bool training) { training_ = training; }
  bool training() const { return training_; }

  // All parameters, layer by layer: weight (out, in), bias (out), then for a batch-normalized
  // layer its weight (gamma, out) and bias (beta, out). Gradients mirror it. Views of the model's
  // own storage, whose size is fixed by the configuration.
  std::span<T> parameters() { return params_; }
  std::span<const T> parameters() const { return params_; }
  std::span<T> gradients() { return grads_; }
  std::span<const T> gradients() const { return grads_; }
  T* weight(std::size_t layer) { return params_.data() + offsets_[layer]; }
  const T* weight(std::size_t layer) const { return params_.data() + offsets_[layer]; }
  T* bias(std::size_t layer) { return weight(layer) + weight_size(layer); }
  const T* bias(std::size_t layer) const { return weight(layer) + weight_size(layer); }
  // Layer `layer`'s gradients (weight, bias, then batch norm's gamma and beta): a slice of gradients().
  std::span<T> layer_gradients(std::size_t layer) {
    const std::size_t end = layer + 1 < num_layers() ? offsets_[layer + 1] : grads_.size();
    return std::span<T>(grads_).subspan(offsets_[layer], end - offsets_[layer]);
  }
  T* dweight(std::size_t layer) { return grads_.data() + offsets_[layer]; }
  T* dbias(std::size_t layer) { return dweight(layer) + weight_size(layer); }
  T* dnorm_weight(std::size_t layer) { return dbias(layer) + layer_outputs(layer); }
  T* dnorm_bias(std::size_t layer) { return dnorm_weight(layer) + layer_outputs(layer); }
  // Batch normalization of layer `layer` (has_batch_norm(layer) must hold): gamma and beta (out).
  T* norm_weight(std::size_t layer) { return bias(layer) + layer_outputs(layer); }
  const T* norm_weight(std::size_t layer) const { return bias(layer) + layer_outputs(layer); }
  T* norm_bias(std::size_t layer) { return norm_weight(layer) + layer_outputs(layer); }
  const T* norm_bias(std::size_t layer) const { return norm_weight(layer) + layer_outputs(layer); }

  // Non-trained state: for each batch-normalized layer its running mean (out) then running
  // variance (out), as BatchNorm1d's buffers. Saved with the model, restored by early stopping.
  std::span<T> buffers() { return buffers_; }
  std::span<const T> buffers() const { return buffers_; }
  T* running_mean(std::size_t layer) { return buffers_.data() + buffer_offsets_[layer]; }
  const T* running_mean(std::size_t layer) const { return buffers_.data() + buffer_offsets_[layer]; }
  T* running_var(std::size_t layer) { return running_mean(layer) + layer_outputs(layer); }
  const T* running_var(std::size_t layer) const { return running_mean(layer) + layer_outputs(layer); }

  // Layer `layer`'s weight and bias copied out as matrices (out, in) and (1, out).
  Matrix<T> weight_matrix(std::size_t layer) const;
  Matrix<T> bias_matrix(std::size_t layer) const;

  // The generator dropout masks are drawn from; seed it for reproducible training.
  Random& dropout_rng() { return dropout_rng_; }

  // Mixed precision, for float32 models: the products take bfloat16 inputs (the weights, each
  // layer's input and the backward pass's gradients, rounded to nearest) and accumulate in float32,
  // as torch.autocast(dtype=torch.bfloat16) does for linear layers. Parameters, gradients, batch
  // norm and activations stay float32. Worth it where bf16_products() (matmul.h) holds; elsewhere
  // the products run on slower loops. Throws InvalidArgument on a float64 model. Off by default.
  // backward() follows the setting its forward pass ran with.
  void set_bf16_products(bool on);
  bool bf16_products() const { return bf16_; }

  // Forward pass of a batch x (B, inputs). Keeps what backward() needs; x must stay alive until
  // then. Returns the output (B, outputs), valid until the next call. Training mode with batch
  // normalization needs B >= 2 (InvalidArgument otherwise, as PyTorch).
  const Matrix<T>& forward(const T* x, std::size_t B);
  const Matrix<T>& forward(const Matrix<T>& x);

  // Backward pass from dout (B, outputs) = dLoss/d(output) of the last forward batch, in the mode
  // (training or evaluation) that forward ran in. Adds into gradients(); call zero_grad() between steps.
  void backward(const T* dout);
  void zero_grad();
  // When set, backward() calls it as soon as a layer's gradients (layer_gradients) are complete,
  // layer by layer from the last to the first: data-parallel training starts summing them across
  // processes while the layers below are still computed. Copied with the model: clear it when
  // what it refers to goes.
  std::function<void(std::size_t layer)> on_layer_backward;

  // The outputs for x (B, inputs) in evaluation mode, as a new matrix (the mode is restored).
  Matrix<T> predict(const Matrix<T>& x);

 private:
  std::size_t weight_size(std::size_t layer) const { return layer_outputs(layer) * layer_inputs(layer); }
  bool has_dropout(std::size_t layer) const { return dropout_used_ && layer + 1 < num_layers(); }
  // What the last forward fed into layer `layer` and what the layer put out (after dropout).
  // Looked up, not stored, so that a copy's layers read the copy's own buffers.
  const T* layer_input(std::size_t layer) const { return layer == 0 ? input_ : layer_output(layer - 1); }
  const T* layer_output(std::size_t layer) const {
    return has_dropout(layer) ? work_[layer].d.data() : work_[layer].a.data();
  }
  // The same rounded to bfloat16, with bf16 products.
  const bf16* layer_input_bf16(std::size_t layer) const {
    return layer == 0 ? input_bf16_.data() : work_[layer - 1].out_bf16.data();
  }

  // How a layer runs, chosen once when the model is built: batch norm, the fused relu passes,
  // identity (no pass of its own), or any other activation through the layer functions.
  enum class Path { batch_norm, relu, identity, general };
  // Layer i's products, out (B, OC) = in · Wᵀ + bias (none when null), from bfloat16 copies when mixed.
  void dense_layer(std::size_t i, T* out, const T* bias, std::size_t B, bool mixed);
  void forward_layer(std::size_t i, std::size_t B, bool mixed);
  // Layer i's backward from g, the gradient of its output: its weight and bias gradients (added
  // into), and the previous layer's output gradient, returned (null for the first layer).
  const T* backward_layer(std::size_t i, const T* g, std::size_t B, bool training, bool mixed);
  // dLoss / dz of layer i along its path; dbias_done and dz_bf16_done say what a fused pass did.
  const T* layer_dz(std::size_t i, const T* g, std::size_t B, bool training, bool mixed, bool& dbias_done,
                    bool& dz_bf16_done);

  // What one layer keeps from the forward pass, reused while the batch size does not grow.
  // Without batch norm, relu and identity layers write x · Wᵀ straight into a and finish it in one
  // pass (bias, relu); z is then unused, and backward takes relu' from a.
  struct Work {
    Matrix<T> z;        // x · Wᵀ + b (batch norm, and activations other than relu and identity)
    Matrix<T> xhat;     // batch norm in training: (z - mean) / std
    Matrix<T> n;        // batch norm: gamma * xhat + beta, the activation's input
    Matrix<T> a;        // the activation's output
    Matrix<T> mask;     // dropout: 0 or 1 / (1 - p) per element
    Matrix<T> d;        // dropout's output
    std::vector<T> inv_std;  // batch norm: 1 / sqrt(var + eps) per feature
    Matrix<T> da, dz;   // gradients during backward (an identity layer without dropout passes its
                        // incoming gradient on as dz, unused)
    // With bf16 products: the weight, the layer's output (hidden layers) and dz rounded to bfloat16.
    std::vector<bf16> weight_bf16, out_bf16, dz_bf16;
  };

  ModelConfig config_;
  std::vector<std::size_t> offsets_, buffer_offsets_;
  std::vector<T> params_, grads_, buffers_;
  std::vector<Work> work_;
  std::vector<Path> paths_;  // one per layer
  Random dropout_rng_;
  bool training_ = true;
  bool bf16_ = false;
  std::vector<bf16> input_bf16_;  // the last forward's x rounded to bfloat16, with bf16 products
  // The last forward pass: its input (the caller's x), batch size, mode, and whether it applied dropout.
  const T* input_ = nullptr;
  std::size_t batch_ = 0;
  bool forward_training_ = true;
  bool forward_bf16_ = false;  // whether it took bf16 products
  bool dropout_used_ = false;
  bool have_forward_ = false;
};

}  // namespace mlp
