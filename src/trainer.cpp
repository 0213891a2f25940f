// The training loop: batches in order or shuffled, each through the separate stages
// forward -> loss -> backward -> reduce -> step.
#include "mlp/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "mlp/error.h"

namespace mlp {

template <typename T>
Trainer<T>::Trainer(Model<T>& model, Loss loss, SGDOptions sgd, TrainOptions options)
    : model_(model), loss_(loss), optimizer_(sgd), options_(options), rng_(options.seed) {
  if (options_.batch_size == 0) throw InvalidArgument("trainer: batch size must be at least 1");
}

template <typename T>
void Trainer<T>::check_data(const char* what, const Matrix<T>& x, const Matrix<T>& y) const {
  std::string w = what;
  if (x.cols() != model_.inputs())
    throw ShapeError(w + ": expected " + std::to_string(model_.inputs()) + " features, got " +
                     std::to_string(x.cols()));
  std::size_t want = loss_.class_targets() ? 1 : model_.outputs();
  if (y.rows() != x.rows() || y.cols() != want)
    throw ShapeError(w + ": targets " + y.shape() + " do not match inputs " + x.shape() + " (expected " +
                     shape_string(x.rows(), want) + ")");
}

template <typename T>
double Trainer<T>::train_step(const T* x, const T* y, std::size_t B) {
  const std::size_t out = model_.outputs();
  const Matrix<T>& p = model_.forward(x, B);
  double loss = loss_forward(loss_, p.data(), y, B, out);
  if (!std::isfinite(loss))
    throw NumericError("training diverged: loss is " + std::to_string(loss) + " at epoch " +
                       std::to_string(epoch_) + ", batch " + std::to_string(batch_index_) +
                       " (try a smaller learning rate)");
  dout_.resize(B, out);
  loss_backward(loss_, dout_.data(), p.data(), y, B, out);
  model_.zero_grad();
  model_.backward(dout_.data());
  auto& grads = model_.gradients();
  if (reduce_gradients) reduce_gradients(grads.data(), grads.size());
  auto& params = model_.parameters();
  optimizer_.step(params.data(), grads.data(), params.size());
  return loss;
}

template <typename T>
std::vector<EpochStats> Trainer<T>::fit(const Matrix<T>& x, const Matrix<T>& y, const Matrix<T>* val_x,
                                        const Matrix<T>* val_y) {
  check_data("training data", x, y);
  if ((val_x == nullptr) != (val_y == nullptr))
    throw InvalidArgument("fit: validation needs both inputs and targets");
  if (val_x) check_data("validation data", *val_x, *val_y);
  const std::size_t n = x.rows(), bs = options_.batch_size;
  std::vector<EpochStats> history;
  std::vector<std::size_t> order;
  for (std::size_t e = 0; e < options_.epochs; ++e) {
    auto start = std::chrono::steady_clock::now();
    epoch_ = e + 1;
    if (options_.shuffle) order = rng_.permutation(n);
    double total = 0;
    batch_index_ = 0;
    for (std::size_t i = 0; i < n; i += bs, ++batch_index_) {
      std::size_t B = std::min(bs, n - i);
      const T* bx = x.row(i);
      const T* by = y.row(i);
      if (options_.shuffle) {
        batch_x_.resize(B, x.cols());
        batch_y_.resize(B, y.cols());
        for (std::size_t r = 0; r < B; ++r) {
          std::copy(x.row(order[i + r]), x.row(order[i + r]) + x.cols(), batch_x_.row(r));
          std::copy(y.row(order[i + r]), y.row(order[i + r]) + y.cols(), batch_y_.row(r));
        }
        bx = batch_x_.data();
        by = batch_y_.data();
      }
      total += train_step(bx, by, B) * static_cast<double>(B);
    }
    EpochStats stats;
    stats.epoch = e + 1;
    stats.train_loss = n ? total / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
    stats.val_loss = val_x ? evaluate(*val_x, *val_y) : std::numeric_limits<double>::quiet_NaN();
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    history.push_back(stats);
  }
  return history;
}

template <typename T>
double Trainer<T>::evaluate(const Matrix<T>& x, const Matrix<T>& y) {
  check_data("evaluation data", x, y);
  const Matrix<T>& p = model_.forward(x);
  return loss_forward(loss_, p.data(), y.data(), x.rows(), model_.outputs());
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace mlp
