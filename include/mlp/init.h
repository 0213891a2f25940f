// Weight initialization: seeded, reproducible ways to fill a model's parameters.
#pragma once

#include "mlp/model.h"
#include "mlp/random.h"

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

}  // namespace mlp
