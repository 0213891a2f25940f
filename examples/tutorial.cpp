// The tutorial's run (../shared/reference/tutorial.py), one C++ statement for each numpy line:
// a 2-4-1 network with a ReLU hidden layer, MSE loss and mini-batch SGD.
// Build with `make`; run ./build/examples/tutorial. It prints what the Python script prints.
#include <cstdio>

#include "mlp/core/random.h"
#include "mlp/core/tensor.h"
#include "mlp/tutorial/tutorial.h"

using mlp::Matrix;
// The tutorial's own names, so the loop below reads as its numpy does.
using mlp::tutorial::backward;
using mlp::tutorial::forward;
using mlp::tutorial::gradient;
using mlp::tutorial::gradient_backward;
using mlp::tutorial::mse_loss;
using mlp::tutorial::relu;
using mlp::tutorial::relu_backward;
using M = Matrix<double>;

// np.random.rand(rows, cols) / scale
static M rand_matrix(mlp::Random& rng, std::size_t rows, std::size_t cols, double scale) {
  M m(rows, cols);
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = rng.rand() / scale;
  return m;
}

static void print(const char* name, const M& m, bool vector = false) {
  std::printf("%s: %s\n", name, mlp::tutorial::numpy_repr(m, vector).c_str());
}

int main() {
  mlp::Random rng(99);                                             // np.random.seed(99)

  M train_features{{22.5, 72.0}, {31.4, 45.0}, {19.8, 85.0}, {27.6, 63}};
  M train_labels{{95}, {210}, {70}, {155}};
  M test_features{{28.1, 58.0}};
  M test_labels{{165}};

  M hidden_weight = rand_matrix(rng, 4, 2, 2);                     // np.random.rand(4, 2) / 2
  M hidden_bias = rand_matrix(rng, 1, 4, 1);                       // np.random.rand(4)
  M output_weight = rand_matrix(rng, 1, 4, 4);                     // np.random.rand(1, 4) / 4
  M output_bias(1, 1);                                             // np.zeros(1)

  const double LEARNING_RATE = 0.00001;
  const std::size_t BATCH_SIZE = 2;
  const int EPOCHS = 1000;

  for (int epoch = 0; epoch < EPOCHS; ++epoch) {
    for (std::size_t i = 0; i < train_features.rows(); i += BATCH_SIZE) {
      M features = train_features.slice_rows(i, i + BATCH_SIZE);  // train_features[i: i + BATCH_SIZE]
      M labels = train_labels.slice_rows(i, i + BATCH_SIZE);      // train_labels[i: i + BATCH_SIZE]
      M hidden = relu(forward(features, hidden_weight, hidden_bias));
      M predictions = forward(hidden, output_weight, output_bias);
      M output_delta = gradient(predictions, labels);
      M hidden_delta = relu_backward(hidden, gradient_backward(output_delta, output_weight));
      backward(hidden, output_delta, output_weight, output_bias, LEARNING_RATE);
      backward(features, hidden_delta, hidden_weight, hidden_bias, LEARNING_RATE);
    }
  }

  print("hidden weight", hidden_weight);
  print("hidden bias", hidden_bias, true);
  print("output weight", output_weight);
  print("output bias", output_bias, true);

  M hidden = relu(forward(test_features, hidden_weight, hidden_bias));
  M predictions = forward(hidden, output_weight, output_bias);
  print("predictions", predictions);
  std::printf("error: %s\n", mlp::tutorial::numpy_repr(mse_loss(predictions, test_labels)).c_str());
}
