// The sequential model's forward and backward passes, layer by layer:
// dense -> [batch norm] -> activation -> [dropout]. Buffers are allocated once per batch shape.
#include "mlp/model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "mlp/dense.h"
#include "mlp/error.h"
#include "mlp/matmul.h"

namespace mlp {
namespace {

// a (B, OC) = relu(a + bias) in place, one pass: the bias add and relu_forward's max(0, z) fused
// (NaN passes through, as relu_forward).
template <typename T>
void bias_relu_forward(T* a, const T* bias, std::size_t B, std::size_t OC) {
  for (std::size_t r = 0; r < B; ++r) {
    T* row = a + r * OC;
    for (std::size_t j = 0; j < OC; ++j) {
      const T z = row[j] + bias[j];
      row[j] = z < T(0) ? T(0) : z;
    }
  }
}

// relu's backward fused with dropout's and the bias gradient, one pass:
//   dz (B, OC) = (dout * mask) * relu'(z), relu'(z) = 1 where a = relu(z) > 0 (the same test as z > 0), else 0
//   dbias (OC) += the rows of dz, in row order as dense_backward adds them.
// The products keep the unfused order (a NaN gradient stays NaN where relu' is 0).
template <bool Masked, typename T>
void relu_bias_backward(T* dz, T* dbias, const T* dout, const T* mask, const T* a, std::size_t B, std::size_t OC) {
  for (std::size_t r = 0; r < B; ++r) {
    const std::size_t o = r * OC;
    for (std::size_t j = 0; j < OC; ++j) {
      T g = dout[o + j];
      if constexpr (Masked) g = g * mask[o + j];
      const T d = g * (a[o + j] > T(0) ? T(1) : T(0));
      dz[o + j] = d;
      dbias[j] += d;
    }
  }
}

}  // namespace

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
  work_.resize(num_layers());
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

// BatchNorm1d forward of layer i from w.z into w.n. Training: batch mean and biased variance
// normalize; the running statistics move by momentum, the variance unbiased (n / (n - 1)).
// Evaluation: the running statistics normalize.
template <typename T>
void Model<T>::norm_forward(std::size_t i, std::size_t B) {
  Work& w = work_[i];
  const std::size_t F = layer_outputs(i);
  const double eps = config_.batch_norm_eps, m = config_.batch_norm_momentum;
  const T* gamma = norm_weight(i);
  const T* beta = norm_bias(i);
  w.n.resize(B, F);
  w.inv_std.resize(F);
  if (training_) {
    if (B < 2)
      throw InvalidArgument("batch norm: training needs at least 2 rows per batch, got " + std::to_string(B) +
                            " (choose a batch size that leaves no batch of 1 row)");
    w.xhat.resize(B, F);
    T* rm = running_mean(i);
    T* rv = running_var(i);
    for (std::size_t f = 0; f < F; ++f) {
      double mean = 0;
      for (std::size_t r = 0; r < B; ++r) mean += w.z(r, f);
      mean /= static_cast<double>(B);
      double var = 0;
      for (std::size_t r = 0; r < B; ++r) {
        double c = w.z(r, f) - mean;
        var += c * c;
      }
      var /= static_cast<double>(B);
      double inv = 1.0 / std::sqrt(var + eps);
      w.inv_std[f] = static_cast<T>(inv);
      for (std::size_t r = 0; r < B; ++r) {
        double xh = (w.z(r, f) - mean) * inv;
        w.xhat(r, f) = static_cast<T>(xh);
        w.n(r, f) = static_cast<T>(gamma[f] * xh + beta[f]);
      }
      rm[f] = static_cast<T>((1 - m) * rm[f] + m * mean);
      rv[f] = static_cast<T>((1 - m) * rv[f] + m * var * static_cast<double>(B) / static_cast<double>(B - 1));
    }
  } else {
    const T* rm = running_mean(i);
    const T* rv = running_var(i);
    for (std::size_t f = 0; f < F; ++f) w.inv_std[f] = static_cast<T>(1.0 / std::sqrt(rv[f] + eps));
    for (std::size_t r = 0; r < B; ++r)
      for (std::size_t f = 0; f < F; ++f) w.n(r, f) = gamma[f] * (w.z(r, f) - rm[f]) * w.inv_std[f] + beta[f];
  }
}

// BatchNorm1d backward: from dn (B, F) to dz (B, F), adding into dgamma and dbeta.
// Training: dz = gamma * inv_std / B * (B dn - sum(dn) - xhat sum(dn xhat)).
// Evaluation: dz = dn * gamma * inv_std.
template <typename T>
void Model<T>::norm_backward(std::size_t i, std::size_t B, T* dz, const T* dn) {
  Work& w = work_[i];
  const std::size_t F = layer_outputs(i);
  const T* gamma = norm_weight(i);
  T* dgamma = grads_.data() + (norm_weight(i) - params_.data());
  T* dbeta = dgamma + F;
  for (std::size_t f = 0; f < F; ++f) {
    double sum_dn = 0, sum_dn_xhat = 0;
    for (std::size_t r = 0; r < B; ++r) {
      double g = dn[r * F + f];
      double xh = training_ ? static_cast<double>(w.xhat(r, f))
                            : (w.z(r, f) - running_mean(i)[f]) * static_cast<double>(w.inv_std[f]);
      sum_dn += g;
      sum_dn_xhat += g * xh;
    }
    dgamma[f] += static_cast<T>(sum_dn_xhat);
    dbeta[f] += static_cast<T>(sum_dn);
    double scale = gamma[f] * static_cast<double>(w.inv_std[f]);
    for (std::size_t r = 0; r < B; ++r) {
      double g = dn[r * F + f];
      dz[r * F + f] = training_ ? static_cast<T>(scale / static_cast<double>(B) *
                                                 (static_cast<double>(B) * g - sum_dn - w.xhat(r, f) * sum_dn_xhat))
                                : static_cast<T>(g * scale);
    }
  }
}

template <typename T>
const Matrix<T>& Model<T>::forward(const T* x, std::size_t B) {
  batch_ = B;
  dropout_used_ = training_ && config_.dropout > 0;
  const T* in = x;
  for (std::size_t i = 0; i < num_layers(); ++i) {
    Work& w = work_[i];
    const std::size_t C = layer_inputs(i), OC = layer_outputs(i);
    const Activation& act = activation(i);
    w.in = in;
    w.a.resize(B, OC);
    if (has_batch_norm(i)) {
      w.z.resize(B, OC);
      dense_forward(w.z.data(), in, weight(i), bias(i), B, C, OC);
      norm_forward(i, B);
      activation_forward(act, w.a.data(), w.n.data(), B, OC);
    } else if (act.kind == ActivationKind::relu) {
      // x · Wᵀ straight into a, then bias and relu in one pass; backward reads relu' from a.
      matmul(w.a.data(), in, weight(i), B, OC, C, false, true);
      bias_relu_forward(w.a.data(), bias(i), B, OC);
    } else if (act.kind == ActivationKind::identity) {
      dense_forward(w.a.data(), in, weight(i), bias(i), B, C, OC);  // a = z: no copy
    } else {
      w.z.resize(B, OC);
      dense_forward(w.z.data(), in, weight(i), bias(i), B, C, OC);
      activation_forward(act, w.a.data(), w.z.data(), B, OC);
    }
    const T* out = w.a.data();
    if (dropout_used_ && i + 1 < num_layers()) {
      // Inverted dropout: keep with probability 1 - p and scale by 1 / (1 - p).
      const double p = config_.dropout;
      const T keep_scale = static_cast<T>(1.0 / (1.0 - p));
      w.mask.resize(B, OC);
      w.d.resize(B, OC);
      for (std::size_t k = 0; k < B * OC; ++k) {
        w.mask.data()[k] = dropout_rng_.rand() < p ? T(0) : keep_scale;
        w.d.data()[k] = w.a.data()[k] * w.mask.data()[k];
      }
      out = w.d.data();
    }
    in = out;
  }
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
void Model<T>::backward(const T* dout) {
  if (!have_forward_) throw Error("model: backward() called before forward()");
  const std::size_t B = batch_;
  const T* g = dout;  // dLoss / d(this layer's output)
  for (std::size_t i = num_layers(); i-- > 0;) {
    Work& w = work_[i];
    const std::size_t C = layer_inputs(i), OC = layer_outputs(i);
    const Activation& act = activation(i);
    const T* mask = dropout_used_ && i + 1 < num_layers() ? w.mask.data() : nullptr;
    const T* dz = nullptr;  // dLoss / dz, z = x · Wᵀ + b
    bool dbias_done = false;
    if (has_batch_norm(i)) {
      w.da.resize(B, OC);
      w.dz.resize(B, OC);
      if (mask) {
        for (std::size_t k = 0; k < B * OC; ++k) w.da.data()[k] = g[k] * mask[k];
        g = w.da.data();
      }
      // The activation's input gradient dn (in da), turned into dz by batch norm's backward.
      activation_backward(act, w.da.data(), g, w.n.data(), w.a.data(), B, OC);
      norm_backward(i, B, w.dz.data(), w.da.data());
      dz = w.dz.data();
    } else if (act.kind == ActivationKind::relu) {
      w.dz.resize(B, OC);
      if (mask)
        relu_bias_backward<true>(w.dz.data(), dbias(i), g, mask, w.a.data(), B, OC);
      else
        relu_bias_backward<false>(w.dz.data(), dbias(i), g, mask, w.a.data(), B, OC);
      dz = w.dz.data();
      dbias_done = true;
    } else if (act.kind == ActivationKind::identity && !mask) {
      dz = g;  // identity' = 1: dz is the incoming gradient itself
    } else {
      w.da.resize(B, OC);
      w.dz.resize(B, OC);
      if (mask) {
        for (std::size_t k = 0; k < B * OC; ++k) w.da.data()[k] = g[k] * mask[k];
        g = w.da.data();
      }
      // The activation's input z; for identity (with dropout) that is a, which forward wrote in its place.
      const T* z = act.kind == ActivationKind::identity ? w.a.data() : w.z.data();
      activation_backward(act, w.dz.data(), g, z, w.a.data(), B, OC);
      dz = w.dz.data();
    }
    T* dinp = nullptr;  // the previous layer's output gradient, in its da buffer
    if (i > 0) {
      work_[i - 1].da.resize(B, C);
      dinp = work_[i - 1].da.data();
    }
    dense_backward(dinp, dweight(i), dbias_done ? nullptr : dbias(i), dz, w.in, weight(i), B, C, OC);
    g = dinp;
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
