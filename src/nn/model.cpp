// The sequential model's forward and backward passes, layer by layer:
// dense -> [batch norm] -> activation -> [dropout], each a call into the layer functions except the
// fused relu and identity paths below. Buffers are allocated once per batch shape.
#include "mlp/nn/model.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "mlp/nn/batch_norm.h"
#include "mlp/nn/dense.h"
#include "mlp/nn/dropout.h"
#include "mlp/core/error.h"
#include "mlp/nn/init.h"
#include "mlp/core/matmul.h"
#include "mlp/core/random.h"
#include "nn/fused.h"

namespace mlp {

using fused::bias_relu_forward;
using fused::relu_bias_backward;

template <typename T>
Model<T>::Model(ModelConfig config) : config_(std::move(config)) {
  const auto& sizes = config_.sizes;
  if (sizes.size() < 2)
    throw InvalidArgument("model: needs at least two layer sizes (inputs and outputs), got " +
                          std::to_string(sizes.size()));
  for (std::size_t s : sizes)
    if (s == 0) throw InvalidArgument("model: layer sizes must be positive");
  std::size_t hidden_layers = sizes.size() - 2;
  if (config_.hidden_activations.empty()) config_.hidden_activations = {Activation{ActivationKind::identity}};
  if (config_.hidden_activations.size() != 1 && config_.hidden_activations.size() != hidden_layers)
    throw InvalidArgument("model: " + std::to_string(config_.hidden_activations.size()) + " hidden activations for " +
                          std::to_string(hidden_layers) + " hidden layers (give one, or one per layer)");
  if (!(config_.dropout >= 0 && config_.dropout < 1))
    throw InvalidArgument("model: dropout must be in [0, 1), got " + std::to_string(config_.dropout));
  if (!(config_.batch_norm_momentum >= 0 && config_.batch_norm_momentum <= 1))
    throw InvalidArgument("model: batch-norm momentum must be in [0, 1], got " +
                          std::to_string(config_.batch_norm_momentum));
  if (!(config_.batch_norm_eps > 0))
    throw InvalidArgument("model: batch-norm eps must be positive, got " + std::to_string(config_.batch_norm_eps));
  std::size_t total = 0, buffer_total = 0;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    offsets_.push_back(total);
    buffer_offsets_.push_back(buffer_total);
    total += sizes[i + 1] * sizes[i] + sizes[i + 1];
    if (has_batch_norm(i)) {
      total += 2 * sizes[i + 1];
      buffer_total += 2 * sizes[i + 1];
    }
  }
  params_.assign(total, T(0));
  grads_.assign(total, T(0));
  buffers_.assign(buffer_total, T(0));
  for (std::size_t i = 0; i < num_layers(); ++i)
    if (has_batch_norm(i)) {
      std::fill(norm_weight(i), norm_weight(i) + layer_outputs(i), T(1));  // gamma = 1, beta = 0
      std::fill(running_var(i), running_var(i) + layer_outputs(i), T(1));  // running var = 1
    }
  for (std::size_t i = 0; i < num_layers(); ++i) {
    const ActivationKind kind = activation(i).kind;
    paths_.push_back(has_batch_norm(i)                 ? Path::batch_norm
                     : kind == ActivationKind::relu     ? Path::relu
                     : kind == ActivationKind::identity ? Path::identity
                                                        : Path::general);
  }
  Random rng(0);
  init_default(*this, rng);  // nn.Linear's default, as a new torch model starts
  work_.resize(num_layers());
}

template <typename T>
const Activation& Model<T>::activation(std::size_t layer) const {
  if (layer + 1 == num_layers()) return config_.output;
  return config_.hidden_activations.size() == 1 ? config_.hidden_activations[0] : config_.hidden_activations[layer];
}

template <typename T>
Matrix<T> Model<T>::weight_matrix(std::size_t layer) const {
  Matrix<T> w(layer_outputs(layer), layer_inputs(layer));
  std::copy(weight(layer), weight(layer) + w.size(), w.data());
  return w;
}

template <typename T>
Matrix<T> Model<T>::bias_matrix(std::size_t layer) const {
  Matrix<T> b(1, layer_outputs(layer));
  std::copy(bias(layer), bias(layer) + b.size(), b.data());
  return b;
}

template <typename T>
void Model<T>::set_bf16_products(bool on) {
  if (on && !std::is_same_v<T, float>)
    throw InvalidArgument("model: bf16 products need a float32 model (this one is float64)");
  bf16_ = on;
}

template <typename T>
void Model<T>::dense_layer(std::size_t i, T* out, const T* bias, std::size_t B, bool mixed) {
  const std::size_t C = layer_inputs(i), OC = layer_outputs(i);
  if constexpr (std::is_same_v<T, float>)
    if (mixed) {
      Work& w = work_[i];
      w.weight_bf16.resize(OC * C);
      to_bf16(w.weight_bf16.data(), weight(i), OC * C);
      if (i == 0) {
        input_bf16_.resize(B * C);
        to_bf16(input_bf16_.data(), input_, B * C);
      }
      dense_forward(out, layer_input_bf16(i), w.weight_bf16.data(), bias, B, C, OC);
      return;
    }
  dense_forward(out, layer_input(i), weight(i), bias, B, C, OC);
}

template <typename T>
void Model<T>::forward_layer(std::size_t i, std::size_t B, bool mixed) {
  Work& w = work_[i];
  const std::size_t OC = layer_outputs(i);
  const Activation& act = activation(i);
  const bool hidden = i + 1 < num_layers();
  bool out_bf16_done = false;  // whether a fused pass already wrote out_bf16
  if (mixed && hidden) w.out_bf16.resize(B * OC);
  w.a.resize(B, OC);
  switch (paths_[i]) {
    case Path::batch_norm:
      w.z.resize(B, OC);
      w.n.resize(B, OC);
      w.inv_std.resize(OC);
      if (training_) w.xhat.resize(B, OC);
      dense_layer(i, w.z.data(), bias(i), B, mixed);
      batch_norm_forward(w.n.data(), training_ ? w.xhat.data() : nullptr, w.inv_std.data(), running_mean(i),
                         running_var(i), w.z.data(), norm_weight(i), norm_bias(i), B, OC, training_,
                         config_.batch_norm_momentum, config_.batch_norm_eps);
      activation_forward(act, w.a.data(), w.n.data(), B, OC);
      break;
    case Path::relu:
      // x · Wᵀ straight into a, then bias and relu in one pass (rounding to bfloat16 there too when
      // no dropout follows); backward reads relu' from a.
      dense_layer(i, w.a.data(), nullptr, B, mixed);
      if (mixed && hidden && !has_dropout(i)) {
        bias_relu_forward<true>(w.a.data(), w.out_bf16.data(), bias(i), B, OC);
        out_bf16_done = true;
      } else {
        bias_relu_forward<false>(w.a.data(), nullptr, bias(i), B, OC);
      }
      break;
    case Path::identity:
      dense_layer(i, w.a.data(), bias(i), B, mixed);  // a = z: no copy
      break;
    case Path::general:
      w.z.resize(B, OC);
      dense_layer(i, w.z.data(), bias(i), B, mixed);
      activation_forward(act, w.a.data(), w.z.data(), B, OC);
      break;
  }
  if (has_dropout(i)) {
    w.mask.resize(B, OC);
    w.d.resize(B, OC);
    dropout_forward(w.d.data(), w.mask.data(), w.a.data(), config_.dropout, B * OC, dropout_rng_);
  }
  if constexpr (std::is_same_v<T, float>)
    if (mixed && hidden && !out_bf16_done) to_bf16(w.out_bf16.data(), layer_output(i), B * OC);
}

template <typename T>
const Matrix<T>& Model<T>::forward(const T* x, std::size_t B) {
  have_forward_ = false;  // until this pass completes
  input_ = x;
  batch_ = B;
  forward_training_ = training_;
  dropout_used_ = training_ && config_.dropout > 0;
  forward_bf16_ = bf16_;  // bf16 products; never for float64 models (set_bf16_products refuses them)
  for (std::size_t i = 0; i < num_layers(); ++i) forward_layer(i, B, bf16_);
  have_forward_ = true;
  return work_.back().a;
}

template <typename T>
const Matrix<T>& Model<T>::forward(const Matrix<T>& x) {
  if (x.cols() != inputs())
    throw ShapeError("model: expected " + std::to_string(inputs()) + " features, got " +
                     std::to_string(x.cols()) + " (input " + x.shape() + ")");
  return forward(x.data(), x.rows());
}

template <typename T>
const T* Model<T>::layer_dz(std::size_t i, const T* g, std::size_t B, bool training, bool mixed, bool& dbias_done,
                            bool& dz_bf16_done) {
  Work& w = work_[i];
  const std::size_t OC = layer_outputs(i);
  const Activation& act = activation(i);
  const T* mask = has_dropout(i) ? w.mask.data() : nullptr;
  const Path path = paths_[i] == Path::identity && mask ? Path::general : paths_[i];
  switch (path) {
    case Path::batch_norm:
      w.da.resize(B, OC);
      w.dz.resize(B, OC);
      if (mask) {
        dropout_backward(w.da.data(), g, mask, B * OC);
        g = w.da.data();
      }
      // The activation's input gradient dn (in da), turned into dz by batch norm's backward.
      activation_backward(act, w.da.data(), g, w.n.data(), w.a.data(), B, OC);
      batch_norm_backward(w.dz.data(), dnorm_weight(i), dnorm_bias(i), w.da.data(), w.z.data(),
                          training ? w.xhat.data() : nullptr, w.inv_std.data(), running_mean(i), norm_weight(i),
                          B, OC, training);
      return w.dz.data();
    case Path::relu: {
      w.dz.resize(B, OC);
      if (mixed) {
        w.dz_bf16.resize(B * OC);
        dz_bf16_done = true;
      }
      // Each combination of dropout and rounding is a loop of its own.
      bf16* dzb = w.dz_bf16.data();
      if (mask)
        mixed ? relu_bias_backward<true, true>(w.dz.data(), dzb, dbias(i), g, mask, w.a.data(), B, OC)
              : relu_bias_backward<true, false>(w.dz.data(), dzb, dbias(i), g, mask, w.a.data(), B, OC);
      else
        mixed ? relu_bias_backward<false, true>(w.dz.data(), dzb, dbias(i), g, mask, w.a.data(), B, OC)
              : relu_bias_backward<false, false>(w.dz.data(), dzb, dbias(i), g, mask, w.a.data(), B, OC);
      dbias_done = true;
      return w.dz.data();
    }
    case Path::identity:
      return g;  // identity' = 1 and no dropout: dz is the incoming gradient itself
    case Path::general:
      break;
  }
  w.da.resize(B, OC);
  w.dz.resize(B, OC);
  if (mask) {
    dropout_backward(w.da.data(), g, mask, B * OC);
    g = w.da.data();
  }
  // The activation's input z; for identity (with dropout) that is a, which forward wrote in its place.
  const T* z = act.kind == ActivationKind::identity ? w.a.data() : w.z.data();
  activation_backward(act, w.dz.data(), g, z, w.a.data(), B, OC);
  return w.dz.data();
}

template <typename T>
const T* Model<T>::backward_layer(std::size_t i, const T* g, std::size_t B, bool training, bool mixed) {
  Work& w = work_[i];
  const std::size_t C = layer_inputs(i), OC = layer_outputs(i);
  bool dbias_done = false;
  bool dz_bf16_done = false;  // whether a fused pass already rounded dz to bfloat16
  const T* dz = layer_dz(i, g, B, training, mixed, dbias_done, dz_bf16_done);  // dLoss / dz, z = x · Wᵀ + b
  T* dinp = nullptr;  // the previous layer's output gradient, in its da buffer
  if (i > 0) {
    work_[i - 1].da.resize(B, C);
    dinp = work_[i - 1].da.data();
  }
  T* dbias_left = dbias_done ? nullptr : dbias(i);
  if constexpr (std::is_same_v<T, float>)
    if (mixed) {
      if (!dz_bf16_done) {
        w.dz_bf16.resize(B * OC);
        to_bf16(w.dz_bf16.data(), dz, B * OC);
      }
      dense_backward(dinp, dweight(i), dbias_left, dz, w.dz_bf16.data(), layer_input_bf16(i), w.weight_bf16.data(),
                     B, C, OC);
    }
  if (!mixed) dense_backward(dinp, dweight(i), dbias_left, dz, layer_input(i), weight(i), B, C, OC);
  return dinp;
}

template <typename T>
void Model<T>::backward(const T* dout) {
  if (!have_forward_) throw Error("model: backward() called before forward()");
  // As the forward pass ran: its training mode, and the bfloat16 copies backward reads.
  const T* g = dout;  // dLoss / d(this layer's output)
  for (std::size_t i = num_layers(); i-- > 0;) {
    g = backward_layer(i, g, batch_, forward_training_, forward_bf16_);
    if (on_layer_backward) on_layer_backward(i);
  }
}

template <typename T>
void Model<T>::zero_grad() {
  std::fill(grads_.begin(), grads_.end(), T(0));
}

template <typename T>
Matrix<T> Model<T>::predict(const Matrix<T>& x) {
  bool was_training = training_;
  training_ = false;
  try {
    const Matrix<T>& out = forward(x);
    Matrix<T> result(out.rows(), out.cols());
    std::copy(out.data(), out.data() + result.size(), result.data());
    training_ = was_training;
    return result;
  } catch (...) {
    training_ = was_training;
    throw;
  }
}

template class Model<float>;
template class Model<double>;

}  // namespace mlp
