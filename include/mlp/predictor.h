// Batch inference from a snapshot of a trained model. Built with oneDNN, a float32 model's dense
// layers run as oneDNN matmul primitives whose weights are repacked once, up front, into the
// layout the kernels read fastest, with the bias and a relu fused into the product; rows go
// through the network a block at a time, so each layer's output stays in cache for the next.
// Anything else (float64, batch normalization, a build without oneDNN) runs Model::predict.
// The outputs equal Model::predict's up to the rounding of the float32 products.
#pragma once

#include <cstddef>
#include <memory>

#include "mlp/model.h"
#include "mlp/tensor.h"

namespace mlp {

template <typename T>
class Predictor {
 public:
  // Copies what it needs: later changes to `model` are not seen.
  explicit Predictor(const Model<T>& model);
  ~Predictor();
  Predictor(Predictor&&) noexcept;
  Predictor& operator=(Predictor&&) noexcept;

  std::size_t inputs() const;
  std::size_t outputs() const;
  // Whether the packed oneDNN path is in use (false: Model::predict on a copy).
  bool packed() const;

  // The outputs (rows, outputs) for x (rows, inputs); ShapeError when the columns do not match.
  Matrix<T> predict(const Matrix<T>& x);
  // The same over raw row-major buffers: x (rows, inputs) into out (rows, outputs).
  void predict(const T* x, std::size_t rows, T* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlp
