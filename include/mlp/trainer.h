// Training: model -> loss -> gradients -> gradient reduction -> optimizer step, per batch,
// over epochs; plus evaluation. Each stage stays separate so that data-parallel training
// can combine gradients between backward and the step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "mlp/loss.h"
#include "mlp/model.h"
#include "mlp/optimizer.h"
#include "mlp/random.h"

namespace mlp {

struct TrainOptions {
  std::size_t epochs = 10;
  std::size_t batch_size = 32;  // the last batch of an epoch keeps the rows left over
  bool shuffle = false;         // false: rows in order, as the tutorial
  std::uint32_t seed = 0;       // for the per-epoch shuffle
};

struct EpochStats {
  std::size_t epoch = 0;         // 1-based
  double train_loss = 0;         // mean of the batch losses, weighted by batch size
  double val_loss = 0;           // NaN when there is no validation data
  double seconds = 0;
};

template <typename T>
class Trainer {
 public:
  // Throws InvalidArgument for batch size 0.
  Trainer(Model<T>& model, Loss loss, SGDOptions sgd, TrainOptions options);

  // Called with the flat gradient buffer after backward and before the optimizer step.
  // Empty by default; data-parallel training all-reduces here.
  std::function<void(T* grads, std::size_t n)> reduce_gradients;

  // One step on a batch x (B, inputs), y (B, outputs) or (B, 1) class indices:
  // forward, loss, backward, reduce, step. Returns the batch loss. A non-finite loss throws
  // NumericError before the weights change.
  double train_step(const T* x, const T* y, std::size_t B);

  // Trains for options.epochs over (x, y); validates on (val_x, val_y) after each epoch when given.
  std::vector<EpochStats> fit(const Matrix<T>& x, const Matrix<T>& y, const Matrix<T>* val_x = nullptr,
                              const Matrix<T>* val_y = nullptr);

  // The mean loss over (x, y), without changing the model's parameters.
  double evaluate(const Matrix<T>& x, const Matrix<T>& y);

 private:
  void check_data(const char* what, const Matrix<T>& x, const Matrix<T>& y) const;

  Model<T>& model_;
  Loss loss_;
  SGD<T> optimizer_;
  TrainOptions options_;
  Random rng_;
  std::size_t epoch_ = 0, batch_index_ = 0;  // for error messages
  Matrix<T> dout_;
  Matrix<T> batch_x_, batch_y_;  // gathered rows when shuffling
};

}  // namespace mlp
