// Loss functions: the mean loss of a batch and its gradient, for every LossKind, matching
// torch.nn's losses with their default reduction='mean' (values and autograd gradients),
// plus the text spelling (parse_loss / Loss::name) that the command line and model files use.
#include "mlp/nn/loss.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mlp/nn/activation.h"
#include "mlp/core/error.h"
#include "core/format.h"
#include "core/names.h"
#include "mlp/core/tensor.h"

namespace mlp {
namespace {

// ---- text -------------------------------------------------------------------------------------

// Canonical names in LossKind order, then the aliases.
constexpr NameEntry<LossKind> kLosses[] = {
    {"mse", LossKind::mse},
    {"mae", LossKind::mae},
    {"huber", LossKind::huber},
    {"smooth_l1", LossKind::smooth_l1},
    {"bce", LossKind::bce},
    {"bce_with_logits", LossKind::bce_with_logits},
    {"cross_entropy", LossKind::cross_entropy},
    {"nll", LossKind::nll},
    {"l1", LossKind::mae},
    {"ce", LossKind::cross_entropy},
    {"crossentropy", LossKind::cross_entropy},
};

const char* const kValidLosses =
    "valid losses: mse, mae (alias l1), huber[:DELTA], smooth_l1[:BETA], bce, bce_with_logits, "
    "cross_entropy (aliases ce, crossentropy), nll";

bool takes_parameter(LossKind kind) { return kind == LossKind::huber || kind == LossKind::smooth_l1; }

const char* parameter_name(LossKind kind) { return kind == LossKind::huber ? "DELTA" : "BETA"; }

// ---- argument checks --------------------------------------------------------------------------

void check_loss(const Loss& loss, std::size_t rows, std::size_t cols) {
  if (static_cast<unsigned>(loss.kind) >= loss_names().size())
    throw InvalidArgument("loss: unknown LossKind " + std::to_string(static_cast<int>(loss.kind)));
  if (rows == 0 || cols == 0)
    throw InvalidArgument("loss " + loss.name() + ": empty batch " + shape_string(rows, cols));
  if (takes_parameter(loss.kind) && !(std::isfinite(loss.delta) && loss.delta > 0))
    throw InvalidArgument("loss " + loss_names()[static_cast<std::size_t>(loss.kind)] + ": " +
                          parameter_name(loss.kind) + " must be a positive finite number, got " +
                          format_label(loss.delta));
}

// Row r's class index for cross_entropy / nll: an integer in [0, classes).
template <typename T>
std::size_t class_index(const Loss& loss, T value, std::size_t row, std::size_t classes) {
  double v = static_cast<double>(value);
  bool integer = std::isfinite(v) && v == std::floor(v);
  if (!integer || v < 0 || v >= static_cast<double>(classes))
    throw InvalidArgument("loss " + loss.name() + ": target of row " + std::to_string(row) + " is " +
                          format_label(v) + ", " + (integer ? "outside" : "not an integer in") +
                          " [0, " + std::to_string(classes) + ") for " + std::to_string(classes) +
                          " classes");
  return static_cast<std::size_t>(v);
}

// Checks every row's class index before any output is written; the kernels then read each index
// again with target_of (no buffer of indices, so a step allocates nothing).
template <typename T>
void check_class_indices(const Loss& loss, const T* y, std::size_t rows, std::size_t classes) {
  for (std::size_t r = 0; r < rows; ++r) class_index(loss, y[r], r, classes);
}

// A checked class index as a size_t.
template <typename T>
std::size_t target_of(T value) {
  return static_cast<std::size_t>(value);
}

// bce: predictions are probabilities in [0, 1] (torch checks this too); for both binary losses the
// targets must be in [0, 1] (torch does not check them, but a value outside is a mislabelled target).
template <typename T>
void check_binary(const Loss& loss, const T* p, const T* y, std::size_t rows, std::size_t cols) {
  auto where = [&](std::size_t i) {
    return " at row " + std::to_string(i / cols) + ", column " + std::to_string(i % cols) + " is ";
  };
  for (std::size_t i = 0; i < rows * cols; ++i) {
    double pv = static_cast<double>(p[i]), yv = static_cast<double>(y[i]);
    if (loss.kind == LossKind::bce && std::isnan(pv))
      throw NumericError("loss bce: prediction" + where(i) + "nan");
    if (loss.kind == LossKind::bce && !(pv >= 0 && pv <= 1))
      throw InvalidArgument("loss bce: prediction" + where(i) + format_label(pv) +
                            ", outside [0, 1]; bce takes probabilities (use bce_with_logits for logits)");
    if (!(yv >= 0 && yv <= 1))
      throw InvalidArgument("loss " + loss.name() + ": target" + where(i) + format_label(yv) +
                            ", outside [0, 1]");
  }
}

// ---- elementwise losses: value(p, y) and d value / d p, before the mean's 1/N -------------------

struct Mse {
  static double value(double p, double y, double) { return (p - y) * (p - y); }
  static double grad(double p, double y, double) { return 2 * (p - y); }
};

// torch's sign: sign(0) = 0, so p == y contributes no gradient.
struct Mae {
  static double value(double p, double y, double) { return std::abs(p - y); }
  static double grad(double p, double y, double) {
    double d = p - y;
    return d > 0 ? 1.0 : d < 0 ? -1.0 : d;
  }
};

// Quadratic inside |d| < delta, linear (slope delta) outside; continuous at |d| = delta.
struct Huber {
  static double value(double p, double y, double delta) {
    double d = p - y, a = std::abs(d);
    return a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
  }
  static double grad(double p, double y, double delta) {
    double d = p - y;
    return d < -delta ? -delta : d > delta ? delta : d;
  }
};

// Huber divided by beta: quadratic 0.5 d^2 / beta inside |d| < beta, |d| - beta / 2 outside.
struct SmoothL1 {
  static double value(double p, double y, double beta) {
    double d = p - y, a = std::abs(d);
    return a < beta ? 0.5 * d * d / beta : a - 0.5 * beta;
  }
  static double grad(double p, double y, double beta) {
    double d = p - y;
    return d < -beta ? -1.0 : d > beta ? 1.0 : d / beta;
  }
};

// Logs clamped at -100 as torch does, so p = 0 or 1 gives a finite loss; the gradient divides by
// max(p (1 - p), eps) as torch's binary_cross_entropy_backward does, whose eps is the float 1e-12f
// (9.99999996e-13 as a double) even for double tensors.
struct Bce {
  static double value(double p, double y, double) {
    double log_p = std::max(std::log(p), -100.0), log_1mp = std::max(std::log1p(-p), -100.0);
    return -(y * log_p + (1 - y) * log_1mp);
  }
  static double grad(double p, double y, double) {
    constexpr double eps = static_cast<double>(1e-12f);
    return (p - y) / std::max((1 - p) * p, eps);
  }
};

// p are logits x: max(x, 0) - x y + log(1 + exp(-|x|)), which never overflows.
struct BceWithLogits {
  static double value(double x, double y, double) {
    return std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::abs(x)));
  }
  static double grad(double x, double y, double) {
    double sigmoid = x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
    return sigmoid - y;
  }
};

template <typename F, typename T>
double elementwise_forward(const T* p, const T* y, std::size_t n, double param) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i)
    sum += F::value(static_cast<double>(p[i]), static_cast<double>(y[i]), param);
  return sum / static_cast<double>(n);
}

template <typename F, typename T>
void elementwise_backward(T* dp, const T* p, const T* y, std::size_t n, double param) {
  double scale = 1.0 / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i)
    dp[i] = static_cast<T>(F::grad(static_cast<double>(p[i]), static_cast<double>(y[i]), param) * scale);
}

// ---- class-index losses: p (rows, classes), y (rows, 1) ---------------------------------------

// -log_softmax(x)[target] = (max - x[target]) + log(sum exp(x - max)), stable for any finite logits.
template <typename T>
double cross_entropy_forward(const Loss& loss, const T* x, const T* y, std::size_t rows, std::size_t cols) {
  check_class_indices(loss, y, rows, cols);
  double sum = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const T* row = x + r * cols;
    std::size_t target = target_of(y[r]);
    double max = static_cast<double>(*std::max_element(row, row + cols));
    double exp_sum = 0;
    for (std::size_t c = 0; c < cols; ++c) exp_sum += std::exp(static_cast<double>(row[c]) - max);
    sum += (max - static_cast<double>(row[target])) + std::log(exp_sum);
  }
  return sum / static_cast<double>(rows);
}

// Rows of up to this many classes keep their exponentials on the stack between the two passes.
constexpr std::size_t kKeptExps = 64;

// (softmax(x) - onehot(target)) / rows.
template <typename T>
void cross_entropy_backward(const Loss& loss, T* dx, const T* x, const T* y, std::size_t rows,
                            std::size_t cols) {
  check_class_indices(loss, y, rows, cols);
  double scale = 1.0 / static_cast<double>(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const T* row = x + r * cols;
    T* drow = dx + r * cols;
    std::size_t target = target_of(y[r]);
    double max = static_cast<double>(*std::max_element(row, row + cols));
    double exp_sum = 0;
    if (cols <= kKeptExps) {  // each exp once, kept for the second pass
      double e[kKeptExps];
      for (std::size_t c = 0; c < cols; ++c) exp_sum += e[c] = std::exp(static_cast<double>(row[c]) - max);
      for (std::size_t c = 0; c < cols; ++c)
        drow[c] = static_cast<T>((e[c] / exp_sum - (c == target ? 1.0 : 0.0)) * scale);
      continue;
    }
    for (std::size_t c = 0; c < cols; ++c) exp_sum += std::exp(static_cast<double>(row[c]) - max);
    for (std::size_t c = 0; c < cols; ++c) {
      double softmax = std::exp(static_cast<double>(row[c]) - max) / exp_sum;
      drow[c] = static_cast<T>((softmax - (c == target ? 1.0 : 0.0)) * scale);
    }
  }
}

// p are log-probabilities: -mean(p[r, target_r]).
template <typename T>
double nll_forward(const Loss& loss, const T* p, const T* y, std::size_t rows, std::size_t cols) {
  check_class_indices(loss, y, rows, cols);
  double sum = 0;
  for (std::size_t r = 0; r < rows; ++r) sum -= static_cast<double>(p[r * cols + target_of(y[r])]);
  return sum / static_cast<double>(rows);
}

// -onehot(target) / rows.
template <typename T>
void nll_backward(const Loss& loss, T* dp, const T* y, std::size_t rows, std::size_t cols) {
  check_class_indices(loss, y, rows, cols);
  T g = static_cast<T>(-1.0 / static_cast<double>(rows));
  std::fill(dp, dp + rows * cols, T(0));
  for (std::size_t r = 0; r < rows; ++r) dp[r * cols + target_of(y[r])] = g;
}

}  // namespace

// ---- public API -------------------------------------------------------------------------------

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names = canonical_names<LossKind>(kLosses);
  return names;
}

std::string Loss::name() const {
  std::string s = name_of<LossKind>(kLosses, kind);
  if (s.empty()) throw InvalidArgument("loss: unknown LossKind " + std::to_string(static_cast<int>(kind)));
  if (takes_parameter(kind) && delta != 1.0) s += ":" + format_label(delta);
  return s;
}

bool Loss::class_targets() const { return kind == LossKind::cross_entropy || kind == LossKind::nll; }

Loss parse_loss(std::string_view spec) {
  std::size_t colon = spec.find(':');
  Loss loss;
  loss.kind = parse_name<LossKind>(kLosses, spec.substr(0, colon), "loss", kValidLosses);
  if (colon == std::string_view::npos) return loss;

  std::string_view param = spec.substr(colon + 1);
  if (!takes_parameter(loss.kind))
    throw InvalidArgument("loss '" + escape_for_message(spec) + "': " + loss.name() + " takes no parameter; " +
                          kValidLosses);
  double value = 0;
  auto [end, ec] = std::from_chars(param.data(), param.data() + param.size(), value);
  if (ec != std::errc() || end != param.data() + param.size() || !std::isfinite(value) || value <= 0)
    throw InvalidArgument("loss '" + escape_for_message(spec) + "': " + parameter_name(loss.kind) +
                          " must be a positive number, got '" + escape_for_message(param) + "'; " + kValidLosses);
  loss.delta = value;
  return loss;
}

template <typename T>
double loss_forward(const Loss& loss, const T* p, const T* y, std::size_t rows, std::size_t cols) {
  check_loss(loss, rows, cols);
  std::size_t n = rows * cols;
  switch (loss.kind) {
    case LossKind::mse: return elementwise_forward<Mse>(p, y, n, loss.delta);
    case LossKind::mae: return elementwise_forward<Mae>(p, y, n, loss.delta);
    case LossKind::huber: return elementwise_forward<Huber>(p, y, n, loss.delta);
    case LossKind::smooth_l1: return elementwise_forward<SmoothL1>(p, y, n, loss.delta);
    case LossKind::bce:
      check_binary(loss, p, y, rows, cols);
      return elementwise_forward<Bce>(p, y, n, loss.delta);
    case LossKind::bce_with_logits:
      check_binary(loss, p, y, rows, cols);
      return elementwise_forward<BceWithLogits>(p, y, n, loss.delta);
    case LossKind::cross_entropy: return cross_entropy_forward(loss, p, y, rows, cols);
    case LossKind::nll: return nll_forward(loss, p, y, rows, cols);
  }
  throw InvalidArgument("loss: unknown LossKind");  // unreachable: check_loss rejects it
}

template <typename T>
void loss_backward(const Loss& loss, T* dp, const T* p, const T* y, std::size_t rows, std::size_t cols) {
  check_loss(loss, rows, cols);
  std::size_t n = rows * cols;
  switch (loss.kind) {
    case LossKind::mse: return elementwise_backward<Mse>(dp, p, y, n, loss.delta);
    case LossKind::mae: return elementwise_backward<Mae>(dp, p, y, n, loss.delta);
    case LossKind::huber: return elementwise_backward<Huber>(dp, p, y, n, loss.delta);
    case LossKind::smooth_l1: return elementwise_backward<SmoothL1>(dp, p, y, n, loss.delta);
    case LossKind::bce:
      check_binary(loss, p, y, rows, cols);
      return elementwise_backward<Bce>(dp, p, y, n, loss.delta);
    case LossKind::bce_with_logits:
      check_binary(loss, p, y, rows, cols);
      return elementwise_backward<BceWithLogits>(dp, p, y, n, loss.delta);
    case LossKind::cross_entropy: return cross_entropy_backward(loss, dp, p, y, rows, cols);
    case LossKind::nll: return nll_backward(loss, dp, y, rows, cols);
  }
}

template <typename T>
void loss_probabilities(const Loss& loss, T* probs, const T* p, std::size_t rows, std::size_t cols) {
  const std::size_t n = rows * cols;
  switch (loss.kind) {
    case LossKind::cross_entropy:
      activation_forward(Activation{ActivationKind::softmax}, probs, p, rows, cols);
      break;
    case LossKind::nll:
      for (std::size_t i = 0; i < n; ++i) probs[i] = std::exp(p[i]);
      break;
    case LossKind::bce_with_logits:
      activation_forward(Activation{ActivationKind::sigmoid}, probs, p, rows, cols);
      break;
    default:
      if (probs != p) std::copy(p, p + n, probs);
  }
}

template void loss_probabilities<float>(const Loss&, float*, const float*, std::size_t, std::size_t);
template void loss_probabilities<double>(const Loss&, double*, const double*, std::size_t, std::size_t);
template double loss_forward<float>(const Loss&, const float*, const float*, std::size_t, std::size_t);
template double loss_forward<double>(const Loss&, const double*, const double*, std::size_t, std::size_t);
template void loss_backward<float>(const Loss&, float*, const float*, const float*, std::size_t, std::size_t);
template void loss_backward<double>(const Loss&, double*, const double*, const double*, std::size_t,
                                    std::size_t);

}  // namespace mlp
