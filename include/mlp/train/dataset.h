// Where training rows come from: a dataset hands out rows of features and targets on demand, so
// data can stay in its own storage (8-bit images, say) until a batch is formed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "mlp/core/tensor.h"

namespace mlp {

template <typename T>
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::size_t rows() const = 0;
  virtual std::size_t features() const = 0;
  // Target columns: the outputs, or 1 for class indices.
  virtual std::size_t targets() const = 0;
  // Copies the rows `rows[0..n)` into x (n, features()) and y (n, targets()), in that order.
  virtual void gather(const std::size_t* rows, std::size_t n, T* x, T* y) const = 0;
};

// Features x (rows, features) and targets y (rows, targets) held in matrices; both must outlive it.
template <typename T>
class MatrixDataset : public Dataset<T> {
 public:
  MatrixDataset(const Matrix<T>& x, const Matrix<T>& y) : x_(x), y_(y) {
    if (x.rows() != y.rows())
      throw ShapeError("dataset: targets " + y.shape() + " do not match features " + x.shape() +
                       " (one target row per feature row)");
  }
  std::size_t rows() const override { return x_.rows(); }
  std::size_t features() const override { return x_.cols(); }
  std::size_t targets() const override { return y_.cols(); }
  void gather(const std::size_t* rows, std::size_t n, T* x, T* y) const override {
    for (std::size_t r = 0; r < n; ++r) {
      std::copy(x_.row(rows[r]), x_.row(rows[r]) + x_.cols(), x + r * x_.cols());
      std::copy(y_.row(rows[r]), y_.row(rows[r]) + y_.cols(), y + r * y_.cols());
    }
  }

 private:
  const Matrix<T>& x_;
  const Matrix<T>& y_;
};

// The rows `indices` of another dataset, which must outlive it.
template <typename T>
class SubsetDataset : public Dataset<T> {
 public:
  SubsetDataset(const Dataset<T>& parent, std::vector<std::size_t> indices)
      : parent_(parent), indices_(std::move(indices)) {}
  std::size_t rows() const override { return indices_.size(); }
  std::size_t features() const override { return parent_.features(); }
  std::size_t targets() const override { return parent_.targets(); }
  void gather(const std::size_t* rows, std::size_t n, T* x, T* y) const override {
    mapped_.resize(n);
    for (std::size_t r = 0; r < n; ++r) mapped_[r] = indices_[rows[r]];
    parent_.gather(mapped_.data(), n, x, y);
  }

 private:
  const Dataset<T>& parent_;
  std::vector<std::size_t> indices_;
  mutable std::vector<std::size_t> mapped_;  // reused between calls: no allocation per batch
};

}  // namespace mlp
