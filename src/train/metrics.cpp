// Evaluation metrics, accumulated in double in the order scikit-learn computes them (per column,
// then averaged), so the values agree with sklearn's to rounding.
#include "mlp/train/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "mlp/core/error.h"
#include "core/format.h"

namespace mlp {

namespace {

template <typename T>
void check_probs(const T* probs, std::size_t rows, std::size_t cols) {
  if (cols == 0) throw InvalidArgument("classification metrics: probabilities have 0 columns");
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      if (!std::isfinite(static_cast<double>(probs[r * cols + c])))
        throw InvalidArgument("classification metrics: probability at row " + std::to_string(r) + ", column " +
                              std::to_string(c) + " is " + format_label(static_cast<double>(probs[r * cols + c])));
}

// The label of row r as a class index; throws unless it is an integer in [0, classes).
template <typename T>
std::size_t class_index(const T* labels, std::size_t r, std::size_t classes) {
  const double v = static_cast<double>(labels[r]);
  if (!(v >= 0 && v < static_cast<double>(classes) && v == std::floor(v)))
    throw InvalidArgument("classification metrics: label at row " + std::to_string(r) + " is " + format_label(v) +
                          ", not a class index in [0, " + std::to_string(classes) + ")");
  return static_cast<std::size_t>(v);
}

std::size_t argmax_row(const double* p, std::size_t cols) {
  std::size_t best = 0;
  for (std::size_t c = 1; c < cols; ++c)
    if (p[c] > p[best]) best = c;
  return best;
}

}  // namespace

template <typename T>
RegressionMetrics regression_metrics(const T* pred, const T* target, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0)
    throw InvalidArgument("regression metrics: need at least one row and one column, got (" + std::to_string(rows) +
                          ", " + std::to_string(cols) + ")");
  // Per column: sums of squared and absolute errors, the target's mean, then SS_tot.
  std::vector<double> sq(cols, 0.0), ab(cols, 0.0), mean(cols, 0.0), tot(cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const double t = static_cast<double>(target[r * cols + c]);
      const double e = t - static_cast<double>(pred[r * cols + c]);
      sq[c] += e * e;
      ab[c] += std::fabs(e);
      mean[c] += t;
    }
  const double n = static_cast<double>(rows);
  for (std::size_t c = 0; c < cols; ++c) mean[c] /= n;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const double d = static_cast<double>(target[r * cols + c]) - mean[c];
      tot[c] += d * d;
    }

  RegressionMetrics m;
  double r2 = 0;
  for (std::size_t c = 0; c < cols; ++c) {
    m.mse += sq[c] / n;
    m.mae += ab[c] / n;
    // sklearn's force_finite: 1 for an exact fit (even of a constant column), 0 for a missed constant.
    if (sq[c] == 0) r2 += 1.0;
    else if (tot[c] != 0) r2 += 1.0 - sq[c] / tot[c];
  }
  m.mse /= static_cast<double>(cols);
  m.mae /= static_cast<double>(cols);
  m.rmse = std::sqrt(m.mse);
  m.r2 = rows < 2 ? std::numeric_limits<double>::quiet_NaN() : r2 / static_cast<double>(cols);
  return m;
}

template <typename T>
std::vector<std::size_t> predicted_classes(const T* probs, std::size_t rows, std::size_t cols) {
  check_probs(probs, rows, cols);
  std::vector<std::size_t> out(rows);
  std::vector<double> row(cols);
  for (std::size_t r = 0; r < rows; ++r) {
    if (cols == 1) {
      out[r] = static_cast<double>(probs[r]) > 0.5 ? 1 : 0;
      continue;
    }
    for (std::size_t c = 0; c < cols; ++c) row[c] = static_cast<double>(probs[r * cols + c]);
    out[r] = argmax_row(row.data(), cols);
  }
  return out;
}

template <typename T>
ClassificationMetrics classification_metrics(const T* probs, const T* labels, std::size_t rows, std::size_t cols,
                                             std::size_t top_k) {
  if (rows == 0) throw InvalidArgument("classification metrics: no rows");
  if (top_k == 0) throw InvalidArgument("classification metrics: top_k must be at least 1");
  const std::vector<std::size_t> pred = predicted_classes(probs, rows, cols);  // checks probs
  ClassificationMetrics m;
  m.classes = cols == 1 ? 2 : cols;
  m.k = top_k < m.classes ? top_k : m.classes;
  const std::size_t K = m.classes;
  std::vector<std::size_t> truth(rows);
  for (std::size_t r = 0; r < rows; ++r) truth[r] = class_index(labels, r, K);

  m.confusion.assign(K * K, 0);
  const double eps = std::numeric_limits<T>::epsilon();
  std::size_t correct = 0, hits = 0;
  double loss_sum = 0;
  std::vector<double> p(K);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t y = truth[r];
    ++m.confusion[y * K + pred[r]];
    if (pred[r] == y) ++correct;

    // sklearn's log_loss: clip, expand a single column to (1-p, p), renormalize.
    if (cols == 1) {
      const double q = std::clamp(static_cast<double>(probs[r]), eps, 1.0 - eps);
      p[0] = 1.0 - q;
      p[1] = q;
    } else {
      for (std::size_t c = 0; c < K; ++c) p[c] = std::clamp(static_cast<double>(probs[r * cols + c]), eps, 1.0 - eps);
    }
    double sum = 0;
    for (std::size_t c = 0; c < K; ++c) sum += p[c];
    loss_sum += -std::log(p[y] / sum);

    // Top-k: sklearn ranks by a stable ascending argsort, reversed, so among equal scores the
    // higher index ranks first. Binary single column: the k = 1 case is the accuracy.
    if (m.k >= K) {
      ++hits;
    } else if (cols == 1) {
      if (pred[r] == y) ++hits;
    } else {
      const T* s = probs + r * cols;
      std::size_t rank = 0;
      for (std::size_t c = 0; c < K; ++c)
        if (s[c] > s[y] || (s[c] == s[y] && c > y)) ++rank;
      if (rank < m.k) ++hits;
    }
  }
  const double n = static_cast<double>(rows);
  m.accuracy = static_cast<double>(correct) / n;
  m.top_k_accuracy = static_cast<double>(hits) / n;
  m.log_loss = loss_sum / n;

  // Macro precision/recall/F1 over the classes present among labels or predictions.
  std::size_t present = 0;
  for (std::size_t c = 0; c < K; ++c) {
    std::size_t tp = m.confusion[c * K + c], true_sum = 0, pred_sum = 0;
    for (std::size_t j = 0; j < K; ++j) {
      true_sum += m.confusion[c * K + j];
      pred_sum += m.confusion[j * K + c];
    }
    if (true_sum == 0 && pred_sum == 0) continue;
    ++present;
    const double precision = pred_sum == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(pred_sum);
    const double recall = true_sum == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(true_sum);
    const double denom = precision + recall;
    m.precision += precision;
    m.recall += recall;
    m.f1 += denom == 0 ? 0.0 : 2 * precision * recall / denom;
  }
  m.precision /= static_cast<double>(present);
  m.recall /= static_cast<double>(present);
  m.f1 /= static_cast<double>(present);
  return m;
}

template RegressionMetrics regression_metrics<float>(const float*, const float*, std::size_t, std::size_t);
template RegressionMetrics regression_metrics<double>(const double*, const double*, std::size_t, std::size_t);
template ClassificationMetrics classification_metrics<float>(const float*, const float*, std::size_t, std::size_t,
                                                             std::size_t);
template ClassificationMetrics classification_metrics<double>(const double*, const double*, std::size_t,
                                                              std::size_t, std::size_t);
template std::vector<std::size_t> predicted_classes<float>(const float*, std::size_t, std::size_t);
template std::vector<std::size_t> predicted_classes<double>(const double*, std::size_t, std::size_t);

}  // namespace mlp
