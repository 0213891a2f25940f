// Evaluation metrics for predictions against targets: regression (MSE, RMSE, MAE, R²) and
// classification (accuracy, top-k, log loss, macro precision/recall/F1, confusion matrix).
// Definitions follow scikit-learn 1.2; every value is accumulated in double for float and double.
#pragma once

#include <cstddef>
#include <vector>

namespace mlp {

struct RegressionMetrics {
  double mse = 0;   // mean of (pred - target)² over all rows*cols elements
  double rmse = 0;  // sqrt(mse)
  double mae = 0;   // mean of |pred - target| over all elements
  // sklearn.metrics.r2_score(target, pred), multioutput='uniform_average': the mean over columns of
  // 1 - SS_res/SS_tot. A constant target column (SS_tot = 0) scores 1.0 when predicted exactly and
  // 0.0 otherwise (sklearn's force_finite=True). NaN when rows < 2, as sklearn.
  double r2 = 0;
};

// pred (rows, cols), target (rows, cols). Throws InvalidArgument when rows or cols is 0.
template <typename T>
RegressionMetrics regression_metrics(const T* pred, const T* target, std::size_t rows, std::size_t cols);

struct ClassificationMetrics {
  std::size_t classes = 0;    // cols, or 2 for a single probability column
  double accuracy = 0;        // fraction of rows whose predicted_classes() equals the label
  double top_k_accuracy = 0;  // fraction of rows whose label is among the k highest scores
  std::size_t k = 0;          // the k used: min(top_k, classes)
  // sklearn.metrics.log_loss(labels, probs, labels=range(classes)): probabilities clipped to
  // [eps, 1-eps] with eps = std::numeric_limits<T>::epsilon() (sklearn 1.2's eps='auto' is the
  // input dtype's eps), each row renormalized to sum 1, then the mean of -log p[label].
  double log_loss = 0;
  // Macro averages as sklearn.metrics.precision_recall_fscore_support(average='macro',
  // zero_division=0): the unweighted mean over the classes that occur among the labels or the
  // predictions (sklearn's labels=None); a class never predicted has precision 0, a class with
  // precision + recall = 0 has F1 0.
  double precision = 0, recall = 0, f1 = 0;
  std::vector<std::size_t> confusion;  // (classes, classes): row = true class, col = predicted
};

// probs (rows, cols): class probabilities, cols >= 2; or cols == 1 holding P(class 1) of a binary
// problem. labels (rows): class indices stored as T (0, 1, ..., classes-1).
// Binary predicted class: p > 0.5 (strict; sklearn's top_k_accuracy_score, Keras'
// binary_accuracy and torchmetrics all use p > threshold), so p = 0.5 predicts class 0.
// Top-k: the label's rank counts the classes scoring higher, and among equal scores those with a
// higher index (sklearn sorts with a stable argsort and reverses it), so on ties top-1 can differ
// from argmax. For cols == 1 and k = 1 it is the accuracy; for k >= classes it is 1.
// Throws InvalidArgument for rows == 0, top_k == 0, a non-finite probability, or a label that is
// not an integer in [0, classes), naming the row and the value.
template <typename T>
ClassificationMetrics classification_metrics(const T* probs, const T* labels, std::size_t rows, std::size_t cols,
                                             std::size_t top_k = 5);

// The predicted class of each row of probs (rows, cols): the argmax, the first maximum on ties
// (numpy's argmax); for cols == 1, 1 if p > 0.5 else 0. Returns (rows) class indices.
// Throws InvalidArgument for cols == 0 or a non-finite probability.
template <typename T>
std::vector<std::size_t> predicted_classes(const T* probs, std::size_t rows, std::size_t cols);

}  // namespace mlp
