// Batch inference from a snapshot of a trained model. Built with oneDNN, a float32 model's dense
// layers run as oneDNN matmul primitives whose weights are repacked once, up front, into the
// layout the kernels read fastest, with the bias added inside the product and relu in one pass
// after it; rows go through the network a block at a time, so each layer's output stays in cache
// for the next.
// Anything else (float64, batch normalization, a build without oneDNN) runs Model::predict on a
// copy of the model, with Model::predict's results exactly. The packed path's outputs equal
// Model::predict's up to the rounding of the float32 products (NaN inputs give NaN, as there).
// One thread at a time: a Predictor keeps its buffers between calls. oneDNN computes on OpenMP's
// threads (mlp::set_threads sets their number), which spin for a moment after each call; work on
// OpenBLAS's threads right after a call (training) shares the cores with them meanwhile.
#pragma once

#include <cstddef>
#include <memory>

#include "mlp/nn/model.h"
#include "mlp/core/tensor.h"

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
  // Whether predictions run on oneDNN: the model was packed and no call so far has had to fall
  // back to Model::predict (which happens only if oneDNN refuses a call).
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
