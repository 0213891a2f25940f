// Activation functions: forward and backward passes over whole buffers, their float64 scalar
// forms, and the names parse_activation reads. Definitions, default parameters and derivatives at
// kinks follow torch.nn.functional and PyTorch autograd; every formula stays finite for large |x|.
#include "mlp/nn/activation.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <iterator>
#include <span>
#include <type_traits>

#include "mlp/core/error.h"
#include "core/format.h"
#include "core/names.h"

namespace mlp {
namespace {

// The parameters an activation reads, converted once per call to the buffer's type.
template <typename T>
struct Params {
  T alpha;
  T beta;
  T threshold;
};

template <typename T>
Params<T> params_of(const Activation& a) {
  return {T(a.alpha), T(a.beta), T(a.threshold)};
}

// Defaults when parse_activation is given no parameter (PyTorch's).
constexpr double kLeakySlope = 0.01;
constexpr double kEluAlpha = 1.0;
constexpr double kSoftplusBeta = 1.0;
constexpr double kSoftplusThreshold = 20.0;

using namespace activation_constants;  // SELU's, GELU's and mish's constants (mlp/nn/activation.h)

// sigmoid(x) = 1 / (1 + e^-x) and 1 - sigmoid(x) = sigmoid(-x), both from e^-|x| so that exp
// never overflows and neither is computed by cancellation.
template <typename T>
void sigmoid_pair(T x, T& s, T& one_minus_s) {
  const T e = std::exp(-std::abs(x));
  const T big = T(1) / (T(1) + e);  // sigmoid(|x|)
  const T small = e / (T(1) + e);   // sigmoid(-|x|)
  const bool nonneg = x >= T(0);
  s = nonneg ? big : small;
  one_minus_s = nonneg ? small : big;
}

template <typename T>
T sigmoid(T x) {
  T s, one_minus_s;
  sigmoid_pair(x, s, one_minus_s);
  return s;
}

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for every finite x.
template <typename T>
T log1p_exp(T x) {
  return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

// ---------------------------------------------------------------------------------------------
// The elementwise activations. Each has f(x) and its derivative df, which reads either the
// forward input x or the forward output y (whichever is cheaper and accurate), as `from` says.
// At a kink, df takes the value PyTorch's autograd gives there.

enum class From { input, output };

struct Identity {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return x;
  }
  template <typename T>
  static T df(T, const Params<T>&) {
    return T(1);
  }
};

// max(0, x); relu'(0) = 0.
struct Relu {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return x < T(0) ? T(0) : x;  // NaN passes through
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    return x > T(0) ? T(1) : T(0);
  }
};

// x for x > 0, slope * x otherwise; leaky_relu'(0) = slope.
struct LeakyRelu {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>& p) {
    return x > T(0) ? x : x * p.alpha;
  }
  template <typename T>
  static T df(T x, const Params<T>& p) {
    return x > T(0) ? T(1) : p.alpha;
  }
};

// x for x > 0, alpha (e^x - 1) otherwise; elu'(0) = alpha (torch takes the x <= 0 branch).
struct Elu {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>& p) {
    return x > T(0) ? x : p.alpha * std::expm1(x);
  }
  template <typename T>
  static T df(T x, const Params<T>& p) {
    return x > T(0) ? T(1) : p.alpha * std::exp(x);
  }
};

// scale * elu(x, alpha) with SELU's fixed constants; selu'(0) = scale * alpha.
struct Selu {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return x > T(0) ? T(kSeluScale) * x : T(kSeluScale * kSeluAlpha) * std::expm1(x);
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    return x > T(0) ? T(kSeluScale) : T(kSeluScale * kSeluAlpha) * std::exp(x);
  }
};

// x for x > 0, alpha (e^(x/alpha) - 1) otherwise; celu'(0) = 1 whatever alpha.
struct Celu {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>& p) {
    return x > T(0) ? x : p.alpha * std::expm1(x / p.alpha);
  }
  template <typename T>
  static T df(T x, const Params<T>& p) {
    return x > T(0) ? T(1) : std::exp(x / p.alpha);
  }
};

// x Phi(x), Phi the standard normal CDF = erfc(-x / sqrt 2) / 2 (erfc keeps the tail accurate).
// gelu'(x) = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi).
struct Gelu {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return x * (T(0.5) * std::erfc(-x * T(kInvSqrt2)));
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    const T cdf = T(0.5) * std::erfc(-x * T(kInvSqrt2));
    const T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
    return cdf + x * pdf;
  }
};

// The tanh approximation x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3),
// written as x sigmoid(2u) so that neither tail cancels.
// gelu_tanh'(x) = sigmoid(2u) + x 2 sigmoid'(2u) u'(x), u'(x) = sqrt(2/pi) (1 + 3 * 0.044715 x^2).
struct GeluTanh {
  static constexpr From from = From::input;
  template <typename T>
  static T u(T x) {
    return T(kSqrt2OverPi) * (x + T(kGeluKappa) * x * x * x);
  }
  template <typename T>
  static T f(T x, const Params<T>&) {
    return x * sigmoid(T(2) * u(x));
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    T s, one_minus_s;
    sigmoid_pair(T(2) * u(x), s, one_minus_s);
    const T ds = s * one_minus_s;  // sigmoid'(2u)
    if (ds == T(0)) return s;      // far tail: the second term vanishes (and x^2 may overflow)
    return s + x * T(2) * ds * T(kSqrt2OverPi) * (T(1) + T(3 * kGeluKappa) * x * x);
  }
};

// 1 / (1 + e^-x); sigmoid'(x) = y (1 - y).
struct Sigmoid {
  static constexpr From from = From::output;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return sigmoid(x);
  }
  template <typename T>
  static T df(T y, const Params<T>&) {
    return y * (T(1) - y);
  }
};

// tanh'(x) = 1 - y^2.
struct Tanh {
  static constexpr From from = From::output;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return std::tanh(x);
  }
  template <typename T>
  static T df(T y, const Params<T>&) {
    return T(1) - y * y;
  }
};

// clamp(x + 3, 0, 6) / 6; the derivative 1/6 holds only strictly inside (-3, 3).
struct HardSigmoid {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    return (x > T(-3) && x < T(3)) ? T(1) / T(6) : T(0);
  }
};

// clamp(x, -1, 1); the derivative 1 holds only strictly inside, so hard_tanh'(+-1) = 0.
struct HardTanh {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return std::min(std::max(x, T(-1)), T(1));
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    return (x > T(-1) && x < T(1)) ? T(1) : T(0);
  }
};

// clamp(x, 0, 6), which torch computes as hardtanh(x, 0, 6): relu6'(0) = relu6'(6) = 0.
struct Relu6 {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return std::min(std::max(x, T(0)), T(6));
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    return (x > T(0) && x < T(6)) ? T(1) : T(0);
  }
};

// log(1 + e^(beta x)) / beta, and x itself once beta x > threshold (torch's switch to linear).
// softplus'(x) = sigmoid(beta x), and 1 above the threshold.
struct Softplus {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>& p) {
    const T bx = p.beta * x;
    return bx > p.threshold ? x : log1p_exp(bx) / p.beta;
  }
  template <typename T>
  static T df(T x, const Params<T>& p) {
    const T bx = p.beta * x;
    return bx > p.threshold ? T(1) : sigmoid(bx);
  }
};

// x / (1 + |x|); softsign'(x) = 1 / (1 + |x|)^2.
struct Softsign {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return x / (T(1) + std::abs(x));
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    const T d = T(1) + std::abs(x);
    return T(1) / (d * d);
  }
};

// x sigmoid(x); silu'(x) = s (1 + x (1 - s)), s = sigmoid(x).
struct Silu {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return x * sigmoid(x);
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    T s, one_minus_s;
    sigmoid_pair(x, s, one_minus_s);
    return s * (T(1) + x * one_minus_s);
  }
};

// x tanh(softplus(x)). With e = e^x and n = e (e + 2): tanh(softplus(x)) = n / (n + 2) and
// 1 - tanh^2 = 4 (n + 1) / (n + 2)^2, so mish'(x) = n/(n+2) + x sigmoid(x) 4 (n+1) / (n+2)^2.
// Above x = 20, tanh(softplus(x)) = 1 to double precision and mish(x) = x.
struct Mish {
  static constexpr From from = From::input;
  static constexpr double kLinearAbove = kMishLinearAbove;
  template <typename T>
  static T f(T x, const Params<T>&) {
    if (x > T(kLinearAbove)) return x;
    const T e = std::exp(x);
    const T n = e * (e + T(2));
    return x * (n / (n + T(2)));
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    if (x > T(kLinearAbove)) return T(1);
    const T e = std::exp(x);
    const T n = e * (e + T(2));
    const T d = n + T(2);
    const T sig = e / (T(1) + e);
    return n / d + x * sig * (T(4) * (n + T(1)) / (d * d));
  }
};

// x clamp(x + 3, 0, 6) / 6. The derivative x/3 + 1/2 covers the closed interval [-3, 3]
// (torch's scalar kernel): hard_swish'(-3) = -0.5, hard_swish'(3) = 1.5.
struct HardSwish {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return x * std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    if (x < T(-3)) return T(0);
    if (x <= T(3)) return x / T(3) + T(0.5);
    return T(1);
  }
};

// log sigmoid(x) = min(x, 0) - log1p(e^-|x|); log_sigmoid'(x) = sigmoid(-x).
struct LogSigmoid {
  static constexpr From from = From::input;
  template <typename T>
  static T f(T x, const Params<T>&) {
    return std::min(x, T(0)) - std::log1p(std::exp(-std::abs(x)));
  }
  template <typename T>
  static T df(T x, const Params<T>&) {
    T s, one_minus_s;
    sigmoid_pair(x, s, one_minus_s);
    return one_minus_s;
  }
};

// The whole-buffer loops: one per (activation, type), the activation inlined into the loop.
template <typename Op, typename T>
void forward_elementwise(const Params<T>& p, T* out, const T* in, std::size_t rows,
                         std::size_t cols) {
  const std::size_t n = rows * cols;
  for (std::size_t i = 0; i < n; ++i) out[i] = Op::f(in[i], p);
}

template <typename Op, typename T>
void backward_elementwise(const Params<T>& p, T* din, const T* dout, const T* in, const T* out,
                          std::size_t rows, std::size_t cols) {
  const std::size_t n = rows * cols;
  const T* src = Op::from == From::output ? out : in;
  for (std::size_t i = 0; i < n; ++i) din[i] = dout[i] * Op::df(src[i], p);
}

// ---------------------------------------------------------------------------------------------
// softmax and log_softmax over each row, shifted by the row's max so that exp never overflows.

template <typename T>
T row_max(const T* x, std::size_t cols) {
  T m = x[0];
  for (std::size_t j = 1; j < cols; ++j) m = std::max(m, x[j]);
  return m;
}

struct Softmax {
  // y_j = e^(x_j - m) / sum_k e^(x_k - m).
  template <typename T>
  static void forward(const Params<T>&, T* out, const T* in, std::size_t rows, std::size_t cols) {
    if (cols == 0) return;
    for (std::size_t r = 0; r < rows; ++r) {
      const T* x = in + r * cols;
      T* y = out + r * cols;
      const T m = row_max(x, cols);
      T sum = 0;
      for (std::size_t j = 0; j < cols; ++j) {
        y[j] = std::exp(x[j] - m);
        sum += y[j];
      }
      const T inv = T(1) / sum;
      for (std::size_t j = 0; j < cols; ++j) y[j] *= inv;
    }
  }

  // din_j = y_j (dout_j - sum_k dout_k y_k).
  template <typename T>
  static void backward(const Params<T>&, T* din, const T* dout, const T*, const T* out,
                       std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) {
      const T* g = dout + r * cols;
      const T* y = out + r * cols;
      T* d = din + r * cols;
      T dot = 0;
      for (std::size_t j = 0; j < cols; ++j) dot += g[j] * y[j];
      for (std::size_t j = 0; j < cols; ++j) d[j] = y[j] * (g[j] - dot);
    }
  }
};

struct LogSoftmax {
  // y_j = (x_j - m) - log sum_k e^(x_k - m).
  template <typename T>
  static void forward(const Params<T>&, T* out, const T* in, std::size_t rows, std::size_t cols) {
    if (cols == 0) return;
    for (std::size_t r = 0; r < rows; ++r) {
      const T* x = in + r * cols;
      T* y = out + r * cols;
      const T m = row_max(x, cols);
      T sum = 0;
      for (std::size_t j = 0; j < cols; ++j) sum += std::exp(x[j] - m);
      const T log_sum = std::log(sum);
      for (std::size_t j = 0; j < cols; ++j) y[j] = (x[j] - m) - log_sum;
    }
  }

  // din_j = dout_j - e^(y_j) sum_k dout_k.
  template <typename T>
  static void backward(const Params<T>&, T* din, const T* dout, const T*, const T* out,
                       std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) {
      const T* g = dout + r * cols;
      const T* y = out + r * cols;
      T* d = din + r * cols;
      T sum = 0;
      for (std::size_t j = 0; j < cols; ++j) sum += g[j];
      for (std::size_t j = 0; j < cols; ++j) d[j] = g[j] - std::exp(y[j]) * sum;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// The table: one row per ActivationKind, in enum order, holding the name, how many parameters
// the spec may carry, and the whole-buffer kernels. The switch on the kind is this lookup, once
// per call; the loops themselves call no function through a pointer.

template <typename T>
struct Kernels {
  void (*forward)(const Params<T>&, T* out, const T* in, std::size_t rows, std::size_t cols);
  void (*backward)(const Params<T>&, T* din, const T* dout, const T* in, const T* out,
                   std::size_t rows, std::size_t cols);
};

using ScalarFn = double (*)(const Params<double>&, double);

struct Entry {
  ActivationKind kind;
  const char* name;
  int max_params;
  Kernels<float> f32;
  Kernels<double> f64;
  ScalarFn value;       // null for the row-wise ones
  ScalarFn derivative;  // null for the row-wise ones

  template <typename T>
  const Kernels<T>& kernels() const {
    if constexpr (std::is_same_v<T, float>)
      return f32;
    else
      return f64;
  }
};

template <typename Op>
double scalar_value(const Params<double>& p, double x) {
  return Op::f(x, p);
}

template <typename Op>
double scalar_derivative(const Params<double>& p, double x) {
  return Op::df(Op::from == From::output ? Op::f(x, p) : x, p);
}

template <typename Op>
constexpr Entry elementwise(ActivationKind kind, const char* name, int max_params = 0) {
  return {kind,
          name,
          max_params,
          {&forward_elementwise<Op, float>, &backward_elementwise<Op, float>},
          {&forward_elementwise<Op, double>, &backward_elementwise<Op, double>},
          &scalar_value<Op>,
          &scalar_derivative<Op>};
}

template <typename Op>
constexpr Entry row_wise(ActivationKind kind, const char* name) {
  return {kind,
          name,
          0,
          {&Op::template forward<float>, &Op::template backward<float>},
          {&Op::template forward<double>, &Op::template backward<double>},
          nullptr,
          nullptr};
}

using K = ActivationKind;
constexpr std::array<Entry, 21> kTable = {{
    elementwise<Identity>(K::identity, "identity"),
    elementwise<Relu>(K::relu, "relu"),
    elementwise<LeakyRelu>(K::leaky_relu, "leaky_relu", 1),
    elementwise<Elu>(K::elu, "elu", 1),
    elementwise<Selu>(K::selu, "selu"),
    elementwise<Celu>(K::celu, "celu", 1),
    elementwise<Gelu>(K::gelu, "gelu"),
    elementwise<GeluTanh>(K::gelu_tanh, "gelu_tanh"),
    elementwise<Sigmoid>(K::sigmoid, "sigmoid"),
    elementwise<Tanh>(K::tanh, "tanh"),
    elementwise<HardSigmoid>(K::hard_sigmoid, "hard_sigmoid"),
    elementwise<HardTanh>(K::hard_tanh, "hard_tanh"),
    elementwise<Relu6>(K::relu6, "relu6"),
    elementwise<Softplus>(K::softplus, "softplus", 2),
    elementwise<Softsign>(K::softsign, "softsign"),
    elementwise<Silu>(K::silu, "silu"),
    elementwise<Mish>(K::mish, "mish"),
    elementwise<HardSwish>(K::hard_swish, "hard_swish"),
    elementwise<LogSigmoid>(K::log_sigmoid, "log_sigmoid"),
    row_wise<Softmax>(K::softmax, "softmax"),
    row_wise<LogSoftmax>(K::log_softmax, "log_softmax"),
}};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<std::size_t>(kTable[i].kind) != i) return false;
  return static_cast<std::size_t>(K::log_softmax) + 1 == kTable.size();
}
static_assert(table_in_enum_order(), "kTable must list every ActivationKind in enum order");

constexpr NameEntry<ActivationKind> kAliases[] = {
    {"swish", K::silu},
    {"none", K::identity},
    {"linear", K::identity},
};

// Every name parse_activation reads: the table's, in enum order, then the aliases.
constexpr auto kNames = [] {
  std::array<NameEntry<ActivationKind>, kTable.size() + std::size(kAliases)> names{};
  for (std::size_t i = 0; i < kTable.size(); ++i) names[i] = {kTable[i].name, kTable[i].kind};
  for (std::size_t i = 0; i < std::size(kAliases); ++i) names[kTable.size() + i] = kAliases[i];
  return names;
}();

const Entry& entry(ActivationKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  if (i >= kTable.size())
    throw InvalidArgument("invalid ActivationKind value " + std::to_string(i));
  return kTable[i];
}

// "valid: identity, relu, ... (aliases: ...; parameters: ...)", appended to every parse error.
const std::string& valid_names_text() {
  static const std::string text = [] {
    std::string s = "valid: " + list_names<ActivationKind>(std::span(kNames).first(kTable.size()));
    s += " (aliases: swish = silu, none = linear = identity; parameters: leaky_relu:SLOPE, "
         "elu:ALPHA, celu:ALPHA, softplus:BETA[:THRESHOLD])";
    return s;
  }();
  return text;
}

// Throws when a's parameters are out of range for its kind (checked once per call).
void check_params(const Activation& a) {
  const auto fail = [&](const std::string& what) {
    throw InvalidArgument("activation " + a.name() + ": " + what);
  };
  switch (a.kind) {
    case K::leaky_relu:
    case K::elu:
      if (!std::isfinite(a.alpha)) fail("alpha must be finite");
      break;
    case K::celu:
      if (!std::isfinite(a.alpha) || a.alpha == 0.0) fail("alpha must be finite and not 0");
      break;
    case K::softplus:
      if (!std::isfinite(a.beta) || a.beta <= 0.0) fail("beta must be finite and > 0");
      if (!std::isfinite(a.threshold)) fail("threshold must be finite");
      break;
    default:
      break;
  }
}

const Entry& checked_entry(const Activation& a) {
  const Entry& e = entry(a.kind);
  check_params(a);
  return e;
}

const Entry& scalar_entry(const Activation& a, const char* what) {
  const Entry& e = checked_entry(a);
  if (!e.value)
    throw InvalidArgument(std::string(what) + ": " + e.name +
                          " acts on whole rows, not on single values; use activation_forward");
  return e;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string Activation::name() const {
  std::string s = entry(kind).name;
  switch (kind) {
    case K::leaky_relu:
      if (alpha != kLeakySlope) s += ":" + format_label(alpha);
      break;
    case K::elu:
    case K::celu:
      if (alpha != kEluAlpha) s += ":" + format_label(alpha);
      break;
    case K::softplus:
      if (threshold != kSoftplusThreshold)
        s += ":" + format_label(beta) + ":" + format_label(threshold);
      else if (beta != kSoftplusBeta)
        s += ":" + format_label(beta);
      break;
    default:
      break;
  }
  return s;
}

bool Activation::row_wise() const { return kind == K::softmax || kind == K::log_softmax; }

Activation parse_activation(std::string_view spec) {
  // Split "NAME:P1:P2" at the colons.
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  const std::string_view name = parts[0];
  const std::size_t n_params = parts.size() - 1;

  const Entry* found = &entry(parse_name<ActivationKind>(kNames, name, "activation", valid_names_text()));

  if (n_params > static_cast<std::size_t>(found->max_params)) {
    const std::string limit = found->max_params == 0
                                  ? "takes no parameters"
                                  : "takes at most " + std::to_string(found->max_params) +
                                        (found->max_params == 1 ? " parameter" : " parameters");
    throw InvalidArgument("activation '" + std::string(name) + "' " + limit + ", got '" +
                          escape_for_message(spec) + "'; " + valid_names_text());
  }

  std::array<double, 2> p{};
  for (std::size_t i = 0; i < n_params; ++i) {
    const std::string_view text = parts[i + 1];
    const char* first = text.data();
    const char* last = first + text.size();
    const auto res = std::from_chars(first, last, p[i]);
    if (text.empty() || res.ec != std::errc() || res.ptr != last || !std::isfinite(p[i]))
      throw InvalidArgument("activation '" + escape_for_message(spec) + "': parameter '" +
                            escape_for_message(text) + "' is not a finite number; " + valid_names_text());
  }

  Activation a;
  a.kind = found->kind;
  switch (a.kind) {
    case K::leaky_relu:
      a.alpha = n_params > 0 ? p[0] : kLeakySlope;
      break;
    case K::elu:
    case K::celu:
      a.alpha = n_params > 0 ? p[0] : kEluAlpha;
      break;
    case K::softplus:
      a.beta = n_params > 0 ? p[0] : kSoftplusBeta;
      a.threshold = n_params > 1 ? p[1] : kSoftplusThreshold;
      break;
    default:
      break;
  }
  check_params(a);
  return a;
}

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = canonical_names<ActivationKind>(kNames);
  return names;
}

template <typename T>
void activation_forward(const Activation& a, T* out, const T* in, std::size_t rows,
                        std::size_t cols) {
  checked_entry(a).kernels<T>().forward(params_of<T>(a), out, in, rows, cols);
}

template <typename T>
void activation_backward(const Activation& a, T* din, const T* dout, const T* in, const T* out,
                         std::size_t rows, std::size_t cols) {
  checked_entry(a).kernels<T>().backward(params_of<T>(a), din, dout, in, out, rows, cols);
}

double activation_value(const Activation& a, double x) {
  return scalar_entry(a, "activation_value").value(params_of<double>(a), x);
}

double activation_derivative(const Activation& a, double x) {
  return scalar_entry(a, "activation_derivative").derivative(params_of<double>(a), x);
}

// The tutorial's relu: out = max(0, in).
template <typename T>
void relu_forward(T* out, const T* in, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = in[i] < T(0) ? T(0) : in[i];
}

// The tutorial's relu_backward: din = (out > 0) * dout, from the forward output.
template <typename T>
void relu_backward(T* din, const T* out, const T* dout, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) din[i] = out[i] > T(0) ? dout[i] : T(0);
}

template void activation_forward<float>(const Activation&, float*, const float*, std::size_t,
                                        std::size_t);
template void activation_forward<double>(const Activation&, double*, const double*, std::size_t,
                                         std::size_t);
template void activation_backward<float>(const Activation&, float*, const float*, const float*,
                                         const float*, std::size_t, std::size_t);
template void activation_backward<double>(const Activation&, double*, const double*, const double*,
                                          const double*, std::size_t, std::size_t);
template void relu_forward<float>(float*, const float*, std::size_t);
template void relu_forward<double>(double*, const double*, std::size_t);
template void relu_backward<float>(float*, const float*, const float*, std::size_t);
template void relu_backward<double>(double*, const double*, const double*, std::size_t);

}  // namespace mlp
