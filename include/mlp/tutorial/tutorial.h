// The tutorial's vocabulary on matrices, in namespace mlp::tutorial: forward, relu, mse_loss,
// gradient, gradient_backward, relu_backward and backward, each one line of the tutorial's numpy,
// each built on the library's buffer functions (dense, activation, loss). examples/tutorial.cpp
// uses them. Their own namespace keeps these short, general names out of mlp's.
#pragma once

#include <string>

#include "mlp/core/tensor.h"

namespace mlp::tutorial {

// forward(x, w, b) = x · wᵀ + b. x (B, in), w (out, in), b (1, out) -> (B, out).
template <typename T>
Matrix<T> forward(const Matrix<T>& x, const Matrix<T>& w, const Matrix<T>& b);

// relu(x) = max(0, x), elementwise.
template <typename T>
Matrix<T> relu(const Matrix<T>& x);

// mse_loss(p, y) = mean((p - y)^2). p and y have one shape.
template <typename T>
double mse_loss(const Matrix<T>& p, const Matrix<T>& y);

// gradient(p, y) = dmse/dp = 2 (p - y) / p.size(); with one output that is the tutorial's
// 2 (p - y) / len(y).
template <typename T>
Matrix<T> gradient(const Matrix<T>& p, const Matrix<T>& y);

// gradient_backward(d, w) = d · w: the delta passed back through a layer. d (B, out), w (out, in) -> (B, in).
template <typename T>
Matrix<T> gradient_backward(const Matrix<T>& d, const Matrix<T>& w);

// relu_backward(p, d) = (p > 0) * d, where p is relu's output.
template <typename T>
Matrix<T> relu_backward(const Matrix<T>& p, const Matrix<T>& d);

// backward(x, d, w, b, lr): the SGD step of one layer, in place:
// w -= dᵀ · x * lr and b -= sum of d's rows * lr. x (B, in), d (B, out), w (out, in), b (1, out).
template <typename T>
void backward(const Matrix<T>& x, const Matrix<T>& d, Matrix<T>& w, Matrix<T>& b, double lr);

// What the tutorial's print() shows: numpy's repr of a float, and of a matrix (as a 1-D array
// when as_vector), digit for digit, so that the two runs can be compared as text.
std::string numpy_repr(double x);
std::string numpy_repr(const Matrix<double>& m, bool as_vector = false);

}  // namespace mlp::tutorial
