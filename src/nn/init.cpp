// Initializers: each fills the flat parameter buffer layer by layer from one generator.
// torch.nn.init's schemes draw from our numpy-compatible Random; orthogonal has its own
// Householder QR in double.
#include "mlp/nn/init.h"

#include <charconv>
#include <cmath>
#include <cstddef>

#include "mlp/core/error.h"
#include "core/names.h"

namespace mlp {

template <typename T>
void init_tutorial(Model<T>& model, Random& rng) {
  for (std::size_t i = 0; i < model.num_layers(); ++i) {
    std::size_t in = model.layer_inputs(i), out = model.layer_outputs(i);
    T* w = model.weight(i);
    for (std::size_t k = 0; k < out * in; ++k) w[k] = static_cast<T>(rng.rand() / static_cast<double>(in));
    T* b = model.bias(i);
    bool last = i + 1 == model.num_layers();
    for (std::size_t k = 0; k < out; ++k) b[k] = last ? T(0) : static_cast<T>(rng.rand());
  }
}

template <typename T>
void init_default(Model<T>& model, Random& rng) {
  for (std::size_t i = 0; i < model.num_layers(); ++i) {
    std::size_t in = model.layer_inputs(i), out = model.layer_outputs(i);
    double bound = 1.0 / std::sqrt(static_cast<double>(in));
    T* w = model.weight(i);
    for (std::size_t k = 0; k < out * in; ++k) w[k] = static_cast<T>((2.0 * rng.rand() - 1.0) * bound);
    T* b = model.bias(i);
    for (std::size_t k = 0; k < out; ++k) b[k] = static_cast<T>((2.0 * rng.rand() - 1.0) * bound);
  }
}

template void init_tutorial<float>(Model<float>&, Random&);
template void init_tutorial<double>(Model<double>&, Random&);
template void init_default<float>(Model<float>&, Random&);
template void init_default<double>(Model<double>&, Random&);

// ---- torch.nn.init ------------------------------------------------------------------------------

double calculate_gain(const Activation& a) {
  // The expressions of torch.nn.init.calculate_gain, so the doubles are the same.
  switch (a.kind) {
    case ActivationKind::tanh:
      return 5.0 / 3;
    case ActivationKind::relu:
      return std::sqrt(2.0);
    case ActivationKind::leaky_relu:
      return std::sqrt(2.0 / (1 + a.alpha * a.alpha));
    case ActivationKind::selu:
      return 3.0 / 4;
    default:
      return 1.0;  // identity (torch's linear), sigmoid, and those torch has no gain for
  }
}

namespace {

// q (m, n) = the Q of a Householder QR of a (m, n), m >= n, with each column multiplied by the
// sign of R's diagonal entry (torch's orthogonal_; sign(0) = 0 as torch.sign). a is overwritten.
// Row-major throughout.
void orthogonal_factor(std::vector<double>& q, std::vector<double>& a, std::size_t m, std::size_t n) {
  std::vector<double> vs(m * n, 0.0);  // column j holds the reflector v_j in rows j..m-1 (unit norm)
  std::vector<double> rdiag(n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    double norm2 = 0;
    for (std::size_t i = j; i < m; ++i) norm2 += a[i * n + j] * a[i * n + j];
    const double norm = std::sqrt(norm2);
    // Reflect x = a[j:, j] onto alpha·e1 with alpha = -sign(x0)·|x|, avoiding cancellation.
    const double alpha = a[j * n + j] > 0 ? -norm : norm;
    double vnorm2 = 0;
    for (std::size_t i = j; i < m; ++i) {
      const double v = a[i * n + j] - (i == j ? alpha : 0.0);
      vs[i * n + j] = v;
      vnorm2 += v * v;
    }
    if (vnorm2 == 0) {  // x is zero: nothing to reflect, H = I
      rdiag[j] = 0;
      continue;
    }
    const double inv = 1.0 / std::sqrt(vnorm2);
    for (std::size_t i = j; i < m; ++i) vs[i * n + j] *= inv;
    // a[j:, j:] -= 2 v (vᵀ a[j:, j:])
    for (std::size_t c = j; c < n; ++c) {
      double dot = 0;
      for (std::size_t i = j; i < m; ++i) dot += vs[i * n + j] * a[i * n + c];
      for (std::size_t i = j; i < m; ++i) a[i * n + c] -= 2 * dot * vs[i * n + j];
    }
    rdiag[j] = a[j * n + j];
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity, last reflector first.
  q.assign(m * n, 0.0);
  for (std::size_t j = 0; j < n; ++j) q[j * n + j] = 1.0;
  for (std::size_t j = n; j-- > 0;) {
    for (std::size_t c = 0; c < n; ++c) {
      double dot = 0;
      for (std::size_t i = j; i < m; ++i) dot += vs[i * n + j] * q[i * n + c];
      if (dot == 0) continue;
      for (std::size_t i = j; i < m; ++i) q[i * n + c] -= 2 * dot * vs[i * n + j];
    }
  }
  for (std::size_t c = 0; c < n; ++c) {
    const double sign = rdiag[c] > 0 ? 1.0 : rdiag[c] < 0 ? -1.0 : 0.0;
    for (std::size_t i = 0; i < m; ++i) q[i * n + c] *= sign;
  }
}

// w (rows, cols) = torch.nn.init.orthogonal_ with the given gain, normals from rng.
template <typename T>
void orthogonal_fill(T* w, std::size_t rows, std::size_t cols, double gain, Random& rng) {
  std::vector<double> a(rows * cols);
  for (double& x : a) x = rng.randn();  // (rows, cols) row-major, as torch's normal_
  const bool wide = rows < cols;
  const std::size_t m = wide ? cols : rows, n = wide ? rows : cols;
  if (wide) {  // factor the transpose (cols, rows)
    std::vector<double> t(a.size());
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) t[c * rows + r] = a[r * cols + c];
    a.swap(t);
  }
  std::vector<double> q;
  orthogonal_factor(q, a, m, n);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      w[r * cols + c] = static_cast<T>(gain * (wide ? q[c * rows + r] : q[r * cols + c]));
}

constexpr NameEntry<InitKind> kInitNames[] = {
    {"default", InitKind::default_},
    {"xavier_uniform", InitKind::xavier_uniform},
    {"xavier_normal", InitKind::xavier_normal},
    {"kaiming_uniform", InitKind::kaiming_uniform},
    {"kaiming_normal", InitKind::kaiming_normal},
    {"lecun_normal", InitKind::lecun_normal},
    {"orthogonal", InitKind::orthogonal},
    {"zeros", InitKind::zeros},
    {"constant", InitKind::constant},
    {"tutorial", InitKind::tutorial},
};

std::string valid_init_names() {
  std::string s;
  for (const auto& [name, kind] : kInitNames)
    s += (s.empty() ? "valid: " : ", ") + std::string(name) + (kind == InitKind::constant ? "[:VALUE]" : "");
  return s;
}

}  // namespace

template <typename T>
void init_model(Model<T>& model, const InitOptions& options, Random& rng) {
  switch (options.kind) {
    case InitKind::default_:
      init_default(model, rng);
      return;
    case InitKind::tutorial:
      init_tutorial(model, rng);
      return;
    default:
      break;
  }
  for (std::size_t i = 0; i < model.num_layers(); ++i) {
    const std::size_t in = model.layer_inputs(i), out = model.layer_outputs(i), n = out * in;
    const double fan_in = static_cast<double>(in), fan_out = static_cast<double>(out);
    const double gain = options.gain != 0 ? options.gain : calculate_gain(model.activation(i));
    const double fan = options.fan_out ? fan_out : fan_in;
    T* w = model.weight(i);
    auto uniform = [&](double bound) {
      for (std::size_t k = 0; k < n; ++k) w[k] = static_cast<T>((2.0 * rng.rand() - 1.0) * bound);
    };
    auto normal = [&](double std) {
      for (std::size_t k = 0; k < n; ++k) w[k] = static_cast<T>(std * rng.randn());
    };
    switch (options.kind) {
      case InitKind::xavier_uniform:
        uniform(std::sqrt(3.0) * (gain * std::sqrt(2.0 / (fan_in + fan_out))));  // torch's expression
        break;
      case InitKind::xavier_normal:
        normal(gain * std::sqrt(2.0 / (fan_in + fan_out)));
        break;
      case InitKind::kaiming_uniform:
        uniform(std::sqrt(3.0) * (gain / std::sqrt(fan)));
        break;
      case InitKind::kaiming_normal:
        normal(gain / std::sqrt(fan));
        break;
      case InitKind::lecun_normal:
        normal(1.0 / std::sqrt(fan_in));
        break;
      case InitKind::orthogonal:
        orthogonal_fill(w, out, in, gain, rng);
        break;
      case InitKind::zeros:
        for (std::size_t k = 0; k < n; ++k) w[k] = T(0);
        break;
      case InitKind::constant:
        for (std::size_t k = 0; k < n; ++k) w[k] = static_cast<T>(options.value);
        break;
      default:
        throw InvalidArgument("init_model: invalid InitKind value " +
                              std::to_string(static_cast<int>(options.kind)));
    }
    T* b = model.bias(i);
    for (std::size_t k = 0; k < out; ++k) b[k] = T(0);
  }
}

template void init_model<float>(Model<float>&, const InitOptions&, Random&);
template void init_model<double>(Model<double>&, const InitOptions&, Random&);

InitOptions parse_init(std::string_view spec) {
  const std::size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  InitOptions options;
  options.kind = parse_name<InitKind>(kInitNames, name, "initializer", valid_init_names());
  if (colon == std::string_view::npos) return options;
  if (options.kind != InitKind::constant)
    throw InvalidArgument("initializer '" + std::string(name) + "' takes no parameter, got '" +
                          escape_for_message(spec) + "'; " + valid_init_names());
  const std::string_view text = spec.substr(colon + 1);
  const char* first = text.data();
  const char* last = first + text.size();
  const auto res = std::from_chars(first, last, options.value);
  if (text.empty() || res.ec != std::errc() || res.ptr != last || !std::isfinite(options.value))
    throw InvalidArgument("initializer '" + escape_for_message(spec) + "': value '" + escape_for_message(text) +
                          "' is not a finite number; " + valid_init_names());
  return options;
}

const std::vector<std::string>& init_names() {
  static const std::vector<std::string> names = canonical_names<InitKind>(kInitNames);
  return names;
}

}  // namespace mlp
