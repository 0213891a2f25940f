// Shape helpers shared by every layer's checks.
#include "mlp/tensor.h"

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

}  // namespace mlp
