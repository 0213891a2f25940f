// The dense layer's forward and backward passes over flat buffers.
#include "mlp/nn/dense.h"

#include "mlp/core/matmul.h"

namespace mlp {
namespace {

// out (B, OC) += bias (OC) on every row; nothing when bias is null.
template <typename T>
void add_bias(T* out, const T* bias, std::size_t B, std::size_t OC) {
  if (bias)
    for (std::size_t i = 0; i < B; ++i) {
      T* row = out + i * OC;
      for (std::size_t j = 0; j < OC; ++j) row[j] += bias[j];
    }
}

// dbias (OC) += the rows of dout (B, OC), in row order; nothing when dbias is null.
template <typename T>
void add_bias_gradient(T* dbias, const T* dout, std::size_t B, std::size_t OC) {
  if (dbias)
    for (std::size_t i = 0; i < B; ++i) {
      const T* row = dout + i * OC;
      for (std::size_t j = 0; j < OC; ++j) dbias[j] += row[j];
    }
}

}  // namespace

template <typename T>
void dense_forward(T* out, const T* inp, const T* weight, const T* bias, std::size_t B, std::size_t C,
                   std::size_t OC) {
  matmul(out, inp, weight, B, OC, C, false, true);  // x · Wᵀ
  add_bias(out, bias, B, OC);
}

void dense_forward(float* out, const bf16* inp, const bf16* weight, const float* bias, std::size_t B, std::size_t C,
                   std::size_t OC) {
  matmul(out, inp, weight, B, OC, C, false, true);  // x · Wᵀ
  add_bias(out, bias, B, OC);
}

template <typename T>
void dense_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight,
                    std::size_t B, std::size_t C, std::size_t OC) {
  matmul(dweight, dout, inp, OC, C, B, true, false, T(1), T(1));  // dW += doutᵀ · x
  add_bias_gradient(dbias, dout, B, OC);
  if (dinp) matmul(dinp, dout, weight, B, C, OC, false, false);  // dx = dout · W
}

void dense_backward(float* dinp, float* dweight, float* dbias, const float* dout, const bf16* dout_b,
                    const bf16* inp, const bf16* weight, std::size_t B, std::size_t C, std::size_t OC) {
  matmul(dweight, dout_b, inp, OC, C, B, true, false, 1.0f, 1.0f);  // dW += doutᵀ · x
  add_bias_gradient(dbias, dout, B, OC);
  if (dinp) matmul(dinp, dout_b, weight, B, C, OC, false, false);  // dx = dout · W
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
