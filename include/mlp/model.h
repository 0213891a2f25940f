// A sequential model: dense layers with an activation after each hidden layer and an
// optional output activation. Parameters and gradients live in one flat buffer each.
#pragma once

#include <cstddef>
#include <vector>

#include "mlp/activation.h"
#include "mlp/tensor.h"

namespace mlp {

struct ModelConfig {
  // Layer widths: inputs, each hidden layer, outputs. {2, 4, 1} is the tutorial's network.
  std::vector<std::size_t> sizes;
  // The hidden layers' activations: one for all, or one per hidden layer.
  std::vector<Activation> hidden = {Activation{ActivationKind::relu}};
  // Applied to the last layer's output; identity gives a linear output as in the tutorial.
  Activation output = Activation{ActivationKind::identity};
};

template <typename T>
class Model {
 public:
  // Throws InvalidArgument for fewer than two sizes, a zero width, or a wrong number of activations.
  explicit Model(ModelConfig config);

  const ModelConfig& config() const { return config_; }
  std::size_t num_layers() const { return config_.sizes.size() - 1; }
  std::size_t inputs() const { return config_.sizes.front(); }
  std::size_t outputs() const { return config_.sizes.back(); }
  std::size_t layer_inputs(std::size_t layer) const { return config_.sizes[layer]; }
  std::size_t layer_outputs(std::size_t layer) const { return config_.sizes[layer + 1]; }
  const Activation& activation(std::size_t layer) const;  // the one after layer `layer`

  // All parameters, layer by layer: weight (out, in) then bias (out). Gradients mirror it.
  std::vector<T>& parameters() { return params_; }
  const std::vector<T>& parameters() const { return params_; }
  std::vector<T>& gradients() { return grads_; }
  const std::vector<T>& gradients() const { return grads_; }
  T* weight(std::size_t layer) { return params_.data() + offsets_[layer]; }
  const T* weight(std::size_t layer) const { return params_.data() + offsets_[layer]; }
  T* bias(std::size_t layer) { return weight(layer) + layer_outputs(layer) * layer_inputs(layer); }
  const T* bias(std::size_t layer) const { return weight(layer) + layer_outputs(layer) * layer_inputs(layer); }
  T* dweight(std::size_t layer) { return grads_.data() + offsets_[layer]; }
  T* dbias(std::size_t layer) { return dweight(layer) + layer_outputs(layer) * layer_inputs(layer); }

  // Layer `layer`'s weight and bias copied out as matrices (out, in) and (1, out).
  Matrix<T> weight_matrix(std::size_t layer) const;
  Matrix<T> bias_matrix(std::size_t layer) const;

  // Forward pass of a batch x (B, inputs). Keeps each layer's input and output for backward();
  // x must stay alive until then. Returns the output (B, outputs), valid until the next call.
  const Matrix<T>& forward(const T* x, std::size_t B);
  const Matrix<T>& forward(const Matrix<T>& x);

  // Backward pass from dout (B, outputs) = dLoss/d(output) of the last forward batch.
  // Adds into gradients(); call zero_grad() between steps.
  void backward(const T* dout);
  void zero_grad();

  // The outputs for x (B, inputs), as a new matrix.
  Matrix<T> predict(const Matrix<T>& x);

 private:
  ModelConfig config_;
  std::vector<std::size_t> offsets_;  // where each layer's weight starts in params_
  std::vector<T> params_;
  std::vector<T> grads_;
  // Workspace for the last batch, reused while the batch size does not grow.
  const T* input_ = nullptr;
  std::size_t batch_ = 0;
  std::vector<Matrix<T>> pre_;   // each layer's x·Wᵀ + b
  std::vector<Matrix<T>> post_;  // each layer's activation of it
  std::vector<Matrix<T>> dpost_, dpre_;
};

}  // namespace mlp
