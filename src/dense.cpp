// The dense layer's forward and backward passes over flat buffers.
#include "mlp/dense.h"

#include "mlp/matmul.h"

namespace mlp {

template <typename T>
void dense_forward(T* out, const T* inp, const T* weight, const T* bias, std::size_t B, std::size_t C,
                   std::size_t OC) {
  matmul(out, inp, weight, B, OC, C, false, true);  // x · Wᵀ
  if (bias)
    for (std::size_t i = 0; i < B; ++i) {
      T* row = out + i * OC;
      for (std::size_t j = 0; j < OC; ++j) row[j] += bias[j];
    }
}

template <typename T>
void dense_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight,
                    std::size_t B, std::size_t C, std::size_t OC) {
  matmul(dweight, dout, inp, OC, C, B, true, false, T(1), T(1));  // dW += doutᵀ · x
  if (dbias)
    for (std::size_t i = 0; i < B; ++i) {
      const T* row = dout + i * OC;
      for (std::size_t j = 0; j < OC; ++j) dbias[j] += row[j];
    }
  if (dinp) matmul(dinp, dout, weight, B, C, OC, false, false);  // dx = dout · W
}

template <typename T>
Matrix<T> dense_forward(const Matrix<T>& x, const Matrix<T>& weight, const Matrix<T>& bias) {
  if (x.cols() != weight.cols())
    throw ShapeError("dense_forward: input " + x.shape() + " does not match weight " + weight.shape() +
                     " (input columns must equal weight columns)");
  if (bias.size() != weight.rows())
    throw ShapeError("dense_forward: bias " + bias.shape() + " does not match weight " + weight.shape() +
                     " (bias needs one value per weight row)");
  Matrix<T> out(x.rows(), weight.rows());
  dense_forward(out.data(), x.data(), weight.data(), bias.data(), x.rows(), x.cols(), weight.rows());
  return out;
}

#define MLP_INSTANTIATE(T)                                                                        \
  template void dense_forward<T>(T*, const T*, const T*, const T*, std::size_t, std::size_t,     \
                                 std::size_t);                                                   \
  template void dense_backward<T>(T*, T*, T*, const T*, const T*, const T*, std::size_t,         \
                                  std::size_t, std::size_t);                                     \
  template Matrix<T> dense_forward<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&);
MLP_INSTANTIATE(float)
MLP_INSTANTIATE(double)
#undef MLP_INSTANTIATE

}  // namespace mlp
