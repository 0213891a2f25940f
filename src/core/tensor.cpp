// Shape helpers shared by every layer's checks.
#include "mlp/core/tensor.h"

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/cpu_clones.h"

namespace mlp {

std::string shape_string(std::size_t rows, std::size_t cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

void require_shape(const char* what, std::size_t rows, std::size_t cols, std::size_t expected_rows,
                   std::size_t expected_cols) {
  if (rows != expected_rows || cols != expected_cols)
    throw ShapeError(std::string(what) + ": expected " + shape_string(expected_rows, expected_cols) +
                     ", got " + shape_string(rows, cols));
}

// A value is not finite when all its exponent bits are set; an integer OR over the buffer
// vectorizes, where a floating-point test would not.
template <typename T>
MLP_CLONES bool all_finite(const T* values, std::size_t n) {
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  constexpr Bits exponent = sizeof(T) == 4 ? Bits(0x7f800000u) : Bits(0x7ff0000000000000ull);
  Bits bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Bits b;
    std::memcpy(&b, values + i, sizeof b);
    bad |= static_cast<Bits>((b & exponent) == exponent);
  }
  return bad == 0;
}

template bool all_finite<float>(const float*, std::size_t);
template bool all_finite<double>(const double*, std::size_t);

}  // namespace mlp
