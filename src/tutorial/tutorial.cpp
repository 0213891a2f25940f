// The tutorial's matrix-level steps, each a checked call into the buffer functions.
#include "mlp/tutorial/tutorial.h"

#include "mlp/nn/activation.h"
#include "mlp/nn/dense.h"
#include "mlp/nn/loss.h"
#include "mlp/core/matmul.h"
#include "core/format.h"

namespace mlp::tutorial {

template <typename T>
Matrix<T> forward(const Matrix<T>& x, const Matrix<T>& w, const Matrix<T>& b) {
  return mlp::dense_forward(x, w, b);
}

template <typename T>
Matrix<T> relu(const Matrix<T>& x) {
  Matrix<T> out(x.rows(), x.cols());
  mlp::relu_forward(out.data(), x.data(), x.size());
  return out;
}

template <typename T>
double mse_loss(const Matrix<T>& p, const Matrix<T>& y) {
  require_shape("mse_loss: targets", y.rows(), y.cols(), p.rows(), p.cols());
  return mlp::loss_forward(Loss{LossKind::mse}, p.data(), y.data(), p.rows(), p.cols());
}

template <typename T>
Matrix<T> gradient(const Matrix<T>& p, const Matrix<T>& y) {
  require_shape("gradient: targets", y.rows(), y.cols(), p.rows(), p.cols());
  Matrix<T> d(p.rows(), p.cols());
  mlp::loss_backward(Loss{LossKind::mse}, d.data(), p.data(), y.data(), p.rows(), p.cols());
  return d;
}

template <typename T>
Matrix<T> gradient_backward(const Matrix<T>& d, const Matrix<T>& w) {
  if (d.cols() != w.rows())
    throw ShapeError("gradient_backward: delta " + d.shape() + " does not match weight " + w.shape() +
                     " (delta columns must equal weight rows)");
  Matrix<T> out(d.rows(), w.cols());
  mlp::matmul(out.data(), d.data(), w.data(), d.rows(), w.cols(), w.rows(), false, false);  // d · w
  return out;
}

template <typename T>
Matrix<T> relu_backward(const Matrix<T>& p, const Matrix<T>& d) {
  require_shape("relu_backward: delta", d.rows(), d.cols(), p.rows(), p.cols());
  Matrix<T> out(d.rows(), d.cols());
  mlp::relu_backward(out.data(), p.data(), d.data(), d.size());
  return out;
}

template <typename T>
void backward(const Matrix<T>& x, const Matrix<T>& d, Matrix<T>& w, Matrix<T>& b, double lr) {
  if (x.rows() != d.rows() || x.cols() != w.cols() || d.cols() != w.rows() || b.size() != w.rows())
    throw ShapeError("backward: input " + x.shape() + ", delta " + d.shape() + ", weight " + w.shape() +
                     " and bias " + b.shape() + " do not fit together");
  Matrix<T> dw(w.rows(), w.cols()), db(1, w.rows());
  mlp::dense_backward<T>(nullptr, dw.data(), db.data(), d.data(), x.data(), w.data(), x.rows(), x.cols(),
                         w.rows());
  // The tutorial's update, w -= (d.T @ x) * lr and b -= sum(d) * lr, in T's arithmetic.
  const T step = static_cast<T>(lr);
  for (std::size_t i = 0; i < w.size(); ++i) w.data()[i] -= dw.data()[i] * step;
  for (std::size_t i = 0; i < b.size(); ++i) b.data()[i] -= db.data()[i] * step;
}

#define MLP_INSTANTIATE(T)                                                                 \
  template Matrix<T> forward(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&);      \
  template Matrix<T> relu(const Matrix<T>&);                                              \
  template double mse_loss(const Matrix<T>&, const Matrix<T>&);                          \
  template Matrix<T> gradient(const Matrix<T>&, const Matrix<T>&);                       \
  template Matrix<T> gradient_backward(const Matrix<T>&, const Matrix<T>&);              \
  template Matrix<T> relu_backward(const Matrix<T>&, const Matrix<T>&);                  \
  template void backward(const Matrix<T>&, const Matrix<T>&, Matrix<T>&, Matrix<T>&, double);
MLP_INSTANTIATE(float)
MLP_INSTANTIATE(double)
#undef MLP_INSTANTIATE

std::string numpy_repr(double x) { return format_repr(x); }
std::string numpy_repr(const Matrix<double>& m, bool as_vector) {
  return format_numpy(m.data(), m.rows(), m.cols(), as_vector);
}

}  // namespace mlp::tutorial
