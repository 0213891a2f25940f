// The sequential model's forward and backward passes, layer by layer, over the dense and
// activation functions; all buffers are allocated once per batch shape.
#include "mlp/model.h"

#include <algorithm>
#include <string>

#include "mlp/dense.h"
#include "mlp/error.h"

namespace mlp {

template <typename T>
Model<T>::Model(ModelConfig config) : config_(std::move(config)) {
  const auto& sizes = config_.sizes;
  if (sizes.size() < 2)
    throw InvalidArgument("model: needs at least two layer sizes (inputs and outputs), got " +
                          std::to_string(sizes.size()));
  for (std::size_t s : sizes)
    if (s == 0) throw InvalidArgument("model: layer sizes must be positive");
  std::size_t hidden_layers = sizes.size() - 2;
  if (config_.hidden.empty()) config_.hidden = {Activation{ActivationKind::identity}};
  if (config_.hidden.size() != 1 && config_.hidden.size() != hidden_layers)
    throw InvalidArgument("model: " + std::to_string(config_.hidden.size()) + " hidden activations for " +
                          std::to_string(hidden_layers) + " hidden layers (give one, or one per layer)");
  std::size_t total = 0;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    offsets_.push_back(total);
    total += sizes[i + 1] * sizes[i] + sizes[i + 1];
  }
  params_.assign(total, T(0));
  grads_.assign(total, T(0));
  std::size_t L = num_layers();
  pre_.resize(L);
  post_.resize(L);
  dpost_.resize(L);
  dpre_.resize(L);
}

template <typename T>
const Activation& Model<T>::activation(std::size_t layer) const {
  if (layer + 1 == num_layers()) return config_.output;
  return config_.hidden.size() == 1 ? config_.hidden[0] : config_.hidden[layer];
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
const Matrix<T>& Model<T>::forward(const T* x, std::size_t B) {
  input_ = x;
  batch_ = B;
  const T* in = x;
  for (std::size_t i = 0; i < num_layers(); ++i) {
    std::size_t C = layer_inputs(i), OC = layer_outputs(i);
    pre_[i].resize(B, OC);
    post_[i].resize(B, OC);
    dense_forward(pre_[i].data(), in, weight(i), bias(i), B, C, OC);
    activation_forward(activation(i), post_[i].data(), pre_[i].data(), B, OC);
    in = post_[i].data();
  }
  return post_.back();
}

template <typename T>
const Matrix<T>& Model<T>::forward(const Matrix<T>& x) {
  if (x.cols() != inputs())
    throw ShapeError("model: expected " + std::to_string(inputs()) + " features, got " +
                     std::to_string(x.cols()) + " (input " + x.shape() + ")");
  return forward(x.data(), x.rows());
}

template <typename T>
void Model<T>::backward(const T* dout) {
  if (!input_) throw Error("model: backward() called before forward()");
  std::size_t B = batch_;
  const T* d = dout;  // dLoss / d(post_[i])
  for (std::size_t i = num_layers(); i-- > 0;) {
    std::size_t C = layer_inputs(i), OC = layer_outputs(i);
    dpre_[i].resize(B, OC);
    activation_backward(activation(i), dpre_[i].data(), d, pre_[i].data(), post_[i].data(), B, OC);
    const T* in = i == 0 ? input_ : post_[i - 1].data();
    T* dinp = nullptr;
    if (i > 0) {
      dpost_[i - 1].resize(B, C);
      dinp = dpost_[i - 1].data();
    }
    dense_backward(dinp, dweight(i), dbias(i), dpre_[i].data(), in, weight(i), B, C, OC);
    d = dinp;
  }
}

template <typename T>
void Model<T>::zero_grad() {
  std::fill(grads_.begin(), grads_.end(), T(0));
}

template <typename T>
Matrix<T> Model<T>::predict(const Matrix<T>& x) {
  const Matrix<T>& out = forward(x);
  Matrix<T> result(out.rows(), out.cols());
  std::copy(out.data(), out.data() + result.size(), result.data());
  return result;
}

template class Model<float>;
template class Model<double>;

}  // namespace mlp
