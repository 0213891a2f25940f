// The tutorial's network and table for tests: a 2-4-1 model with the weights np.random.seed(99)
// gives (init_tutorial), and its four training rows.
#pragma once

#include "mlp/nn/activation.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "mlp/core/tensor.h"

namespace mlp_test {

inline mlp::Model<double> tutorial_model(mlp::Activation hidden = mlp::Activation{mlp::ActivationKind::relu}) {
  mlp::ModelConfig c;
  c.sizes = {2, 4, 1};
  c.hidden_activations = {hidden};
  mlp::Model<double> model(c);
  mlp::Random rng(99);
  mlp::init_tutorial(model, rng);
  return model;
}

// train_features (4, 2) and train_labels (4, 1).
inline const mlp::Matrix<double> kTutorialX{{22.5, 72.0}, {31.4, 45.0}, {19.8, 85.0}, {27.6, 63}};
inline const mlp::Matrix<double> kTutorialY{{95}, {210}, {70}, {155}};

}  // namespace mlp_test
