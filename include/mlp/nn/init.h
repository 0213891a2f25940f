// Weight initialization: seeded, reproducible ways to fill a model's parameters — the tutorial's,
// PyTorch's nn.Linear default, and torch.nn.init's schemes (xavier, kaiming, orthogonal, ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mlp/nn/activation.h"
#include "mlp/nn/model.h"
#include "mlp/core/random.h"

namespace mlp {

// The tutorial's scaled uniform: each layer's weight is rand(out, in) / in; hidden biases are
// rand(out) and the output bias is zero. Drawn in order W0, b0, W1, b1, ... as the tutorial does,
// so Random(99) gives the tutorial's starting weights.
template <typename T>
void init_tutorial(Model<T>& model, Random& rng);

// PyTorch's nn.Linear default: weight and bias uniform on ±1/sqrt(in) (kaiming_uniform with
// a = sqrt(5)), drawn from our numpy-compatible generator.
template <typename T>
void init_default(Model<T>& model, Random& rng);

enum class InitKind {
  default_,         // init_default (the trailing underscore because `default` is a keyword)
  xavier_uniform,   // U(±gain·sqrt(6/(fan_in+fan_out)))
  xavier_normal,    // N(0, gain·sqrt(2/(fan_in+fan_out)))
  kaiming_uniform,  // U(±sqrt(3)·gain/sqrt(fan))
  kaiming_normal,   // N(0, gain/sqrt(fan))
  lecun_normal,     // N(0, 1/sqrt(fan_in)): kaiming_normal with nonlinearity='linear'
  orthogonal,       // torch.nn.init.orthogonal_, times gain
  zeros,            // all weights 0
  constant,         // all weights InitOptions::value
  tutorial,         // init_tutorial
};

struct InitOptions {
  InitKind kind = InitKind::default_;
  bool fan_out = false;  // kaiming: fan = layer_outputs (torch mode='fan_out') instead of layer_inputs
  double value = 0;      // constant: the weights' value
  // xavier, kaiming, orthogonal: 0 takes each layer's gain from the activation after it
  // (calculate_gain(model.activation(i))); any other value is used for every layer.
  double gain = 0;
};

// torch.nn.init.calculate_gain for an activation: identity and sigmoid 1, tanh 5/3, relu sqrt(2),
// leaky_relu sqrt(2/(1+slope²)) with its own slope, selu 3/4; every other activation 1 (torch
// raises for those).
double calculate_gain(const Activation& a);

// Fills the model's parameters as options say. default_ and tutorial call init_default and
// init_tutorial. For the others every bias is zero (as Keras' default bias_initializer) and each
// layer's weight (out, in) is drawn in order layer 0, 1, ..., row-major, from rng (rand() for the
// uniform kinds as (2u-1)·bound, randn() for the normal ones; zeros and constant draw nothing).
// orthogonal follows torch: a (out, in) standard-normal matrix, transposed when out < in, is
// factored A = QR (Householder, in double); Q's columns are multiplied by sign(diag(R)), Q is
// transposed back and scaled by the gain, so WᵀW = gain²·I (tall) or WWᵀ = gain²·I (wide).
template <typename T>
void init_model(Model<T>& model, const InitOptions& options, Random& rng);

// Reads an initializer name: default, xavier_uniform, xavier_normal, kaiming_uniform,
// kaiming_normal, lecun_normal, orthogonal, zeros, constant[:VALUE] (default 0), tutorial.
// Throws InvalidArgument listing the valid names for an unknown name, a parameter on a name that
// takes none, or a VALUE that is not a finite number.
InitOptions parse_init(std::string_view name);

// The names parse_init reads, in the order of InitKind ("constant" without its value).
const std::vector<std::string>& init_names();

}  // namespace mlp
