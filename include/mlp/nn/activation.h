// Activation functions and their derivatives, as pure functions over whole buffers.
// Definitions, default parameters and the derivative at kinks follow torch.nn.functional.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mlp {

enum class ActivationKind {
  identity,
  relu,
  leaky_relu,
  elu,
  selu,
  celu,
  gelu,
  gelu_tanh,
  sigmoid,
  tanh,
  hard_sigmoid,
  hard_tanh,
  relu6,
  softplus,
  softsign,
  silu,
  mish,
  hard_swish,
  log_sigmoid,
  softmax,      // over each row
  log_softmax,  // over each row
};

// The constants the activations are computed with, in one place: src/nn/activation.cpp uses them,
// and the exporters (ONNX, C) write the same numbers.
namespace activation_constants {
inline constexpr double kSeluAlpha = 1.6732632423543772848170429916717;  // Klambauer et al. 2017,
inline constexpr double kSeluScale = 1.0507009873554804934193349852946;  // as torch's selu
inline constexpr double kInvSqrt2 = 0.70710678118654752440;              // 1/sqrt(2)
inline constexpr double kInvSqrt2Pi = 0.39894228040143267794;            // 1/sqrt(2 pi)
inline constexpr double kSqrt2OverPi = 0.79788456080286535588;           // sqrt(2/pi)
inline constexpr double kGeluKappa = 0.044715;                           // gelu_tanh's cubic term
inline constexpr double kMishLinearAbove = 20.0;  // mish(x) = x above it, to double precision
}  // namespace activation_constants

// An activation and its parameters. Defaults are PyTorch's.
struct Activation {
  Activation() = default;
  // The kind with PyTorch's default parameters: Activation(ActivationKind::leaky_relu) has slope 0.01.
  Activation(ActivationKind k) : kind(k), alpha(k == ActivationKind::leaky_relu ? 0.01 : 1.0) {}

  ActivationKind kind = ActivationKind::identity;
  double alpha = 1.0;       // leaky_relu: negative slope (default 0.01); elu, celu: alpha
  double beta = 1.0;        // softplus: beta
  double threshold = 20.0;  // softplus: above beta*x > threshold the function is linear

  // The canonical spelling, which parse_activation reads back: "relu", "leaky_relu:0.2".
  std::string name() const;
  // softmax and log_softmax couple the values of a row; the others act elementwise.
  bool row_wise() const;
};

// Reads "NAME" or "NAME:P1[:P2]": leaky_relu:SLOPE, elu:ALPHA, celu:ALPHA,
// softplus:BETA[:THRESHOLD]. Aliases: swish = silu, none/linear = identity.
// Throws InvalidArgument listing the valid names.
Activation parse_activation(std::string_view spec);

// The canonical names, in the order of ActivationKind.
const std::vector<std::string>& activation_names();

// out (rows, cols) = f(in (rows, cols)); out may be the same buffer as in.
template <typename T>
void activation_forward(const Activation& a, T* out, const T* in, std::size_t rows, std::size_t cols);

// din (rows, cols) = dout * f'(in), overwriting din; din may be the same buffer as dout.
// in and out are the forward pass's input and output (each function reads the one it needs).
template <typename T>
void activation_backward(const Activation& a, T* din, const T* dout, const T* in, const T* out,
                         std::size_t rows, std::size_t cols);

// One value and its derivative in float64, for elementwise activations (plots, tests).
// Throws InvalidArgument for softmax and log_softmax.
double activation_value(const Activation& a, double x);
double activation_derivative(const Activation& a, double x);

// The tutorial's relu and relu_backward on n values.
// relu_forward: out = max(0, in). relu_backward: din = (out > 0) * dout, from the forward *output*
// as in the tutorial, so it can run in place; overwrites din.
template <typename T>
void relu_forward(T* out, const T* in, std::size_t n);
template <typename T>
void relu_backward(T* din, const T* out, const T* dout, std::size_t n);

}  // namespace mlp
