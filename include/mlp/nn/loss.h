// Loss functions with their gradients, mean-reduced as torch.nn's losses are by default.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mlp {

enum class LossKind {
  mse,              // mean((p - y)^2) over all elements, as torch.nn.MSELoss
  mae,              // mean(|p - y|), as torch.nn.L1Loss
  huber,            // torch.nn.HuberLoss(delta)
  smooth_l1,        // torch.nn.SmoothL1Loss(beta)
  bce,              // p are probabilities; torch.nn.BCELoss (log clamped at -100)
  bce_with_logits,  // p are logits; torch.nn.BCEWithLogitsLoss
  cross_entropy,    // p are logits (rows, classes), y class indices (rows, 1); torch.nn.CrossEntropyLoss
  nll,              // p are log-probabilities (rows, classes), y class indices (rows, 1); torch.nn.NLLLoss
};

struct Loss {
  LossKind kind = LossKind::mse;
  double delta = 1.0;  // huber: delta; smooth_l1: beta

  std::string name() const;
  // cross_entropy and nll take one class index per row; the others a target of p's shape.
  bool class_targets() const;
};

// Reads "NAME" or "NAME:PARAM" (huber:DELTA, smooth_l1:BETA). Aliases: l1 = mae,
// crossentropy/ce = cross_entropy. Throws InvalidArgument listing the valid names.
Loss parse_loss(std::string_view spec);
const std::vector<std::string>& loss_names();

// The mean loss of predictions p (rows, cols) against targets y: (rows, cols), or (rows, 1) class
// indices stored as T for class-target losses. Throws InvalidArgument for a class index outside [0, cols).
template <typename T>
double loss_forward(const Loss& loss, const T* p, const T* y, std::size_t rows, std::size_t cols);

// dp (rows, cols) = d loss_forward / d p, overwriting dp.
template <typename T>
void loss_backward(const Loss& loss, T* dp, const T* p, const T* y, std::size_t rows, std::size_t cols);

// probs (rows, cols) = the probabilities a classification loss reads in the outputs p (rows,
// cols): softmax of logits (cross_entropy), exp of log-probabilities (nll), sigmoid of logits
// (bce_with_logits), p itself (bce). Overwrites probs, which may be p. Regression losses: a copy.
template <typename T>
void loss_probabilities(const Loss& loss, T* probs, const T* p, std::size_t rows, std::size_t cols);

}  // namespace mlp
