// A typed row-major table of numbers as a file stored it: the matrix the NPY and IDX readers
// return. uint8 pixels stay one byte each until a batch is formed; rows convert to float or double.
// An Array can also be a read-only view of a caller's memory (a numpy array) or of memory it keeps
// alive itself (a mapped .npy file), used without a copy.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "mlp/core/error.h"

namespace mlp::data {

// Element types the readers keep. `boolean` is one byte holding 0 or 1.
enum class DType { u8, i8, u16, i16, u32, i32, u64, i64, f32, f64, boolean };

// Bytes per element: 1, 2, 4 or 8.
std::size_t dtype_size(DType dtype);
// numpy's name: "uint8", "int16", "float32", "bool", ...
const char* dtype_name(DType dtype);

// The DType of a C++ element type (std::uint8_t -> u8, float -> f32, bool -> boolean, ...).
template <typename T>
constexpr DType dtype_of() {
  static_assert(std::is_arithmetic_v<T> && sizeof(T) <= 8, "dtype_of: not a stored element type");
  constexpr std::size_t n = sizeof(T);
  if constexpr (std::is_same_v<T, bool>) {
    return DType::boolean;
  } else if constexpr (std::is_floating_point_v<T>) {
    static_assert(n == 4 || n == 8, "dtype_of: only float and double");
    return n == 4 ? DType::f32 : DType::f64;
  } else if constexpr (std::is_signed_v<T>) {
    return n == 1 ? DType::i8 : n == 2 ? DType::i16 : n == 4 ? DType::i32 : DType::i64;
  } else {
    return n == 1 ? DType::u8 : n == 2 ? DType::u16 : n == 4 ? DType::u32 : DType::u64;
  }
}

// rows x cols elements of one DType, row-major, in this machine's byte order; owns its bytes, or
// views someone else's (view()). A 1-D array of n values is n rows x 1 column.
class Array {
 public:
  Array() = default;
  // rows x cols zeros.
  Array(DType dtype, std::size_t rows, std::size_t cols);
  // Takes `bytes` (row-major, host byte order); throws ShapeError unless it holds exactly
  // rows * cols * dtype_size(dtype) bytes.
  Array(DType dtype, std::size_t rows, std::size_t cols, std::vector<std::byte> bytes);
  // A read-only view of rows x cols elements at `data` (row-major, host byte order, C-contiguous),
  // which must stay alive and unchanged while the view or any copy of it is used. Copies of a view
  // are views of the same memory. With an `owner`, the view (and every copy) holds a share of it,
  // which keeps `data` alive: a mapped file, a buffer filled before the view was made.
  // Throws InvalidArgument for a null `data` with elements.
  static Array view(DType dtype, std::size_t rows, std::size_t cols, const void* data,
                    std::shared_ptr<const void> owner = {});

  DType dtype() const { return dtype_; }
  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::size_t size() const { return rows_ * cols_; }  // elements
  std::size_t byte_size() const { return size() * dtype_size(dtype_); }
  bool is_view() const { return view_ != nullptr; }
  // "(rows, cols) dtype", e.g. "(60000, 784) uint8", for messages.
  std::string describe() const;

  // The elements' bytes: the array's own, or the viewed memory. The non-const forms throw
  // InvalidArgument for a view (it is read-only).
  std::byte* bytes();
  const std::byte* bytes() const { return view_ ? view_ : bytes_.data(); }

  // The elements as their stored type; throws InvalidArgument unless dtype() == dtype_of<T>().
  template <typename T>
  std::span<const T> values() const {
    check_dtype(dtype_of<T>());
    return {reinterpret_cast<const T*>(bytes()), size()};
  }
  template <typename T>
  std::span<T> values() {
    check_dtype(dtype_of<T>());
    return {reinterpret_cast<T*>(bytes()), size()};
  }

  // Element (r, c) converted to double; throws ShapeError when out of range.
  double at(std::size_t r, std::size_t c) const;

  // Converts row r (cols() values) into out[0..cols()). T is float or double. Integers convert
  // exactly to double (int64/uint64 beyond 2^53 round); to float, values round as static_cast
  // does. Throws ShapeError when r >= rows().
  template <typename T>
  void copy_row(std::size_t r, T* out) const;
  // Rows indices[0..count) one after another into out (count x cols()), e.g. a shuffled batch.
  // Throws ShapeError for an index >= rows() (out is then partly written).
  template <typename T>
  void copy_rows(const std::size_t* indices, std::size_t count, T* out) const;
  // The whole array converted, row-major (size() values).
  template <typename T>
  std::vector<T> to_vector() const;

 private:
  void check_dtype(DType wanted) const;  // throws InvalidArgument naming both types

  DType dtype_ = DType::f64;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<std::byte> bytes_;      // an owning array's elements
  const std::byte* view_ = nullptr;  // a view's: the caller's memory
  std::shared_ptr<const void> owner_;  // what keeps a view's memory alive, when the view does
};

}  // namespace mlp::data
