// A training dataset over a typed array of features (uint8 pixels stay bytes until a batch is
// formed) and a small matrix of targets.
#pragma once

#include <cstring>

#include "mlp/data/array.h"
#include "mlp/train/dataset.h"

namespace mlp::data {

template <typename T>
class ArrayDataset : public Dataset<T> {
 public:
  // features (rows, F) must outlive the dataset; targets (rows, K) are kept (K may be 0).
  ArrayDataset(const data::Array& features, Matrix<T> targets) : features_(features), targets_(std::move(targets)) {}
  std::size_t rows() const override { return features_.rows(); }
  std::size_t features() const override { return features_.cols(); }
  std::size_t targets() const override { return targets_.cols(); }
  const data::Array& feature_array() const { return features_; }
  const Matrix<T>& target_matrix() const { return targets_; }
  void gather(const std::size_t* rows, std::size_t n, T* x, T* y) const override {
    features_.copy_rows(rows, n, x);
    const std::size_t k = targets_.cols();
    if (k == 0) return;  // no targets (prediction): the buffers may be null, and memcpy must not see them
    for (std::size_t r = 0; r < n; ++r) std::memcpy(y + r * k, targets_.row(rows[r]), k * sizeof(T));
  }

 private:
  const data::Array& features_;
  Matrix<T> targets_;
};

}  // namespace mlp::data
