// A small row-major matrix (float or double) that owns its storage.
// Layers work on raw pointers plus sizes; Matrix is what callers hold and pass.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "mlp/core/error.h"

namespace mlp {

// "(rows, cols)", for error messages.
std::string shape_string(std::size_t rows, std::size_t cols);

template <typename T>
class Matrix {
 public:
  using value_type = T;

  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols, T fill = T(0))
      : rows_(rows), cols_(cols), data_(rows * cols, fill) {}
  // Rows given as nested lists: Matrix<double>{{22.5, 72.0}, {31.4, 45.0}}.
  Matrix(std::initializer_list<std::initializer_list<T>> rows);

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::size_t size() const { return rows_ * cols_; }
  bool empty() const { return size() == 0; }
  std::string shape() const { return shape_string(rows_, cols_); }

  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  T* row(std::size_t r) { return data_.data() + r * cols_; }
  const T* row(std::size_t r) const { return data_.data() + r * cols_; }
  T& operator()(std::size_t r, std::size_t c) { return data_[r * cols_ + c]; }
  const T& operator()(std::size_t r, std::size_t c) const { return data_[r * cols_ + c]; }

  // Changes the shape; the storage is reallocated only when it has to grow,
  // so a buffer reused for batches of one shape allocates once. Contents are unspecified.
  void resize(std::size_t rows, std::size_t cols) {
    rows_ = rows;
    cols_ = cols;
    if (data_.size() < rows * cols) data_.resize(rows * cols);
  }

  // Rows [begin, end) as a new matrix.
  Matrix slice_rows(std::size_t begin, std::size_t end) const;

  bool operator==(const Matrix& other) const;

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<T> data_;
};

// Whether every one of values (n) is finite (no NaN, no infinity).
template <typename T>
bool all_finite(const T* values, std::size_t n);

// Throws ShapeError("<what>: expected (r, c), got (r2, c2)") when the shapes differ.
void require_shape(const char* what, std::size_t rows, std::size_t cols, std::size_t expected_rows,
                   std::size_t expected_cols);

template <typename T>
Matrix<T>::Matrix(std::initializer_list<std::initializer_list<T>> rows) {
  rows_ = rows.size();
  cols_ = rows_ ? rows.begin()->size() : 0;
  data_.reserve(rows_ * cols_);
  std::size_t r = 0;
  for (const auto& row : rows) {
    if (row.size() != cols_)
      throw ShapeError("Matrix: row " + std::to_string(r) + " has " + std::to_string(row.size()) +
                       " values, expected " + std::to_string(cols_));
    data_.insert(data_.end(), row.begin(), row.end());
    ++r;
  }
}

template <typename T>
Matrix<T> Matrix<T>::slice_rows(std::size_t begin, std::size_t end) const {
  if (begin > end || end > rows_)
    throw ShapeError("Matrix::slice_rows: rows [" + std::to_string(begin) + ", " +
                     std::to_string(end) + ") outside " + shape());
  Matrix out(end - begin, cols_);
  for (std::size_t i = 0; i < out.size(); ++i) out.data_[i] = data_[begin * cols_ + i];
  return out;
}

template <typename T>
bool Matrix<T>::operator==(const Matrix& other) const {
  if (rows_ != other.rows_ || cols_ != other.cols_) return false;
  for (std::size_t i = 0; i < size(); ++i)
    if (data_[i] != other.data_[i]) return false;
  return true;
}

}  // namespace mlp
