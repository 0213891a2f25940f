// Array: the typed matrix shared by the NPY and IDX readers, and its conversions to float/double.
#include "mlp/data/array.h"

#include <cstdint>

namespace mlp::data {

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::u8:
    case DType::i8:
    case DType::boolean: return 1;
    case DType::u16:
    case DType::i16: return 2;
    case DType::u32:
    case DType::i32:
    case DType::f32: return 4;
    case DType::u64:
    case DType::i64:
    case DType::f64: return 8;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::u8: return "uint8";
    case DType::i8: return "int8";
    case DType::u16: return "uint16";
    case DType::i16: return "int16";
    case DType::u32: return "uint32";
    case DType::i32: return "int32";
    case DType::u64: return "uint64";
    case DType::i64: return "int64";
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::boolean: return "bool";
  }
  return "?";
}

namespace {

template <typename S, typename T>
void convert_as(const std::byte* src, std::size_t n, T* out) {
  const S* s = reinterpret_cast<const S*>(src);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<T>(s[i]);
}

// n elements of `dtype` at src into out, converted to T.
template <typename T>
void convert(DType dtype, const std::byte* src, std::size_t n, T* out) {
  switch (dtype) {
    case DType::u8: return convert_as<std::uint8_t>(src, n, out);
    case DType::i8: return convert_as<std::int8_t>(src, n, out);
    case DType::u16: return convert_as<std::uint16_t>(src, n, out);
    case DType::i16: return convert_as<std::int16_t>(src, n, out);
    case DType::u32: return convert_as<std::uint32_t>(src, n, out);
    case DType::i32: return convert_as<std::int32_t>(src, n, out);
    case DType::u64: return convert_as<std::uint64_t>(src, n, out);
    case DType::i64: return convert_as<std::int64_t>(src, n, out);
    case DType::f32: return convert_as<float>(src, n, out);
    case DType::f64: return convert_as<double>(src, n, out);
    case DType::boolean: {
      const auto* s = reinterpret_cast<const std::uint8_t*>(src);
      for (std::size_t i = 0; i < n; ++i) out[i] = s[i] != 0 ? T(1) : T(0);
      return;
    }
  }
}

std::string shape_text(std::size_t rows, std::size_t cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

}  // namespace

Array::Array(DType dtype, std::size_t rows, std::size_t cols)
    : dtype_(dtype), rows_(rows), cols_(cols), bytes_(rows * cols * dtype_size(dtype)) {}

Array::Array(DType dtype, std::size_t rows, std::size_t cols, std::vector<std::byte> bytes)
    : dtype_(dtype), rows_(rows), cols_(cols), bytes_(std::move(bytes)) {
  if (bytes_.size() != rows * cols * dtype_size(dtype)) {
    throw ShapeError("Array: " + shape_text(rows, cols) + " " + dtype_name(dtype) + " needs " +
                     std::to_string(rows * cols * dtype_size(dtype)) + " bytes, got " +
                     std::to_string(bytes_.size()));
  }
}

Array Array::view(DType dtype, std::size_t rows, std::size_t cols, const void* data,
                  std::shared_ptr<const void> owner) {
  if (data == nullptr && rows * cols > 0) throw InvalidArgument("Array::view: no memory to view");
  Array a;
  a.dtype_ = dtype;
  a.rows_ = rows;
  a.cols_ = cols;
  // A view of no elements still counts as a view, so that it never hands out writable bytes.
  static const std::byte kNothing{};
  a.view_ = data ? static_cast<const std::byte*>(data) : &kNothing;
  a.owner_ = std::move(owner);
  return a;
}

std::byte* Array::bytes() {
  if (view_) throw InvalidArgument("Array: a view of memory owned elsewhere is read-only");
  return bytes_.data();
}

std::string Array::describe() const { return shape_text(rows_, cols_) + " " + dtype_name(dtype_); }

void Array::check_dtype(DType wanted) const {
  if (wanted != dtype_) {
    throw InvalidArgument(std::string("Array holds ") + dtype_name(dtype_) + ", not " +
                          dtype_name(wanted));
  }
}

double Array::at(std::size_t r, std::size_t c) const {
  if (r >= rows_ || c >= cols_) {
    throw ShapeError("Array::at(" + std::to_string(r) + ", " + std::to_string(c) + ") outside " +
                     shape_text(rows_, cols_));
  }
  double value = 0;
  convert(dtype_, bytes() + (r * cols_ + c) * dtype_size(dtype_), 1, &value);
  return value;
}

template <typename T>
void Array::copy_row(std::size_t r, T* out) const {
  copy_rows(&r, 1, out);
}

template <typename T>
void Array::copy_rows(const std::size_t* indices, std::size_t count, T* out) const {
  const std::size_t row_bytes = cols_ * dtype_size(dtype_);
  for (std::size_t i = 0; i < count; ++i) {
    if (indices[i] >= rows_) {
      throw ShapeError("row " + std::to_string(indices[i]) + " outside an array of " +
                       std::to_string(rows_) + " rows");
    }
    convert(dtype_, bytes() + indices[i] * row_bytes, cols_, out + i * cols_);
  }
}

template <typename T>
std::vector<T> Array::to_vector() const {
  std::vector<T> out(size());
  convert(dtype_, bytes(), size(), out.data());
  return out;
}

template void Array::copy_row<float>(std::size_t, float*) const;
template void Array::copy_row<double>(std::size_t, double*) const;
template void Array::copy_rows<float>(const std::size_t*, std::size_t, float*) const;
template void Array::copy_rows<double>(const std::size_t*, std::size_t, double*) const;
template std::vector<float> Array::to_vector<float>() const;
template std::vector<double> Array::to_vector<double>() const;

}  // namespace mlp::data
