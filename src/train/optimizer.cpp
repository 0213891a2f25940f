// Optimizers with torch.optim 1.13's single-tensor update rules (foreach=False), one loop over
// the flat buffers each. Every element is computed in double, in torch's operation order, and
// stored back as T, so the double build matches PyTorch's float64 run to the last bit or two.
// Adam's float32 updates are the exception: computed in float32, as torch computes them, because
// their square root and division in double took a tenth of a Fashion-MNIST training step.
#include "mlp/train/optimizer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "mlp/core/error.h"
#include "core/format.h"
#include "mlp/core/matmul.h"
#include "core/names.h"
#include "core/cpu_clones.h"

namespace mlp {
namespace {

// ---- validation -------------------------------------------------------------------------------

// Numbers in messages as Python prints them ("0.0001", "1e-08").
std::string num(double x) { return format_repr(x); }

[[noreturn]] void fail(const char* optimizer, const std::string& what) {
  throw InvalidArgument(std::string(optimizer) + ": " + what);
}

// torch: `if not 0.0 <= value: raise ValueError(...)`; we also refuse inf.
void require_nonnegative(const char* optimizer, const char* option, double value) {
  if (!(value >= 0) || !std::isfinite(value))
    fail(optimizer, std::string(option) + " must be a finite number >= 0, got " + num(value));
}

// torch's betas check `0.0 <= beta < 1.0`; also used for rmsprop's alpha and sgd's dampening (with
// `closed`: [0, 1]), where torch checks less.
void require_unit(const char* optimizer, const char* option, double value, bool closed = false) {
  if (!(value >= 0) || !(closed ? value <= 1 : value < 1))
    fail(optimizer, std::string(option) + " must be in [0, 1" + (closed ? "]" : ")") + ", got " + num(value));
}

void validate(const SGDOptions& o) {
  require_nonnegative("sgd", "lr", o.lr);
  require_nonnegative("sgd", "momentum", o.momentum);
  require_unit("sgd", "dampening", o.dampening, true);
  require_nonnegative("sgd", "weight_decay", o.weight_decay);
  // torch: "Nesterov momentum requires a momentum and zero dampening".
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
    fail("sgd", "nesterov needs momentum > 0 and dampening 0, got momentum " + num(o.momentum) + " and dampening " +
                    num(o.dampening));
}

// Adam and AdamW share their options and checks.
struct AdamConfig {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad;
  bool decoupled;  // AdamW
  const char* name;
};

void validate(const AdamConfig& o) {
  require_nonnegative(o.name, "lr", o.lr);
  require_nonnegative(o.name, "eps", o.eps);
  require_unit(o.name, "beta1", o.beta1);
  require_unit(o.name, "beta2", o.beta2);
  require_nonnegative(o.name, "weight_decay", o.weight_decay);
}

void validate(const RMSpropOptions& o) {
  require_nonnegative("rmsprop", "lr", o.lr);
  require_nonnegative("rmsprop", "eps", o.eps);
  require_nonnegative("rmsprop", "momentum", o.momentum);
  require_nonnegative("rmsprop", "weight_decay", o.weight_decay);
  // torch only checks alpha >= 0; above 1 the square average would take negative weights.
  require_unit("rmsprop", "alpha", o.alpha, true);
}

void validate(const AdagradOptions& o) {
  require_nonnegative("adagrad", "lr", o.lr);
  require_nonnegative("adagrad", "lr_decay", o.lr_decay);
  require_nonnegative("adagrad", "weight_decay", o.weight_decay);
  require_nonnegative("adagrad", "initial_accumulator_value", o.initial_accumulator_value);
  require_nonnegative("adagrad", "eps", o.eps);
}

// torch.maximum: NaN if either side is NaN (std::max would drop it).
double maximum(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  return std::max(a, b);
}

// Calls f with one std::bool_constant per flag, so that each combination of an optimizer's options
// gets its own loop with the option tests hoisted out of it (the loops then vectorize).
template <typename F>
void with_flags(F&& f) {
  f();
}
template <typename F, typename... Rest>
void with_flags(F&& f, bool flag, Rest... rest) {
  if (flag)
    with_flags([&](auto... tail) { f(std::true_type{}, tail...); }, rest...);
  else
    with_flags([&](auto... tail) { f(std::false_type{}, tail...); }, rest...);
}

// Whether an update loop over n values is split among OpenMP's threads: float32 whose products run
// on oneDNN, in the same OpenMP pool (float64's run on OpenBLAS's own threads, which would spin
// against OpenMP's and make it slower), and enough values to pay for it. The split changes no
// number: every element is updated on its own.
template <typename T>
bool split_updates(std::size_t n) {
  return std::is_same_v<T, float> && n >= 65536 && onednn_products();
}

#ifdef _OPENMP
#define MLP_PARALLEL_FOR(n) _Pragma("omp parallel for schedule(static) if (split_updates<T>(n))")
#else
#define MLP_PARALLEL_FOR(n)
#endif

// ---- the common part --------------------------------------------------------------------------

// The members an optimizer keeps between steps, visited by name: saved into an OptimizerState
// or loaded from one.
template <typename T>
struct StateFields {
  virtual ~StateFields() = default;
  virtual void number(const char* name, double& value) = 0;
  virtual void number(const char* name, float& value) = 0;  // torch's float32 step counts
  virtual void flag(const char* name, bool& value) = 0;
  virtual void buffer(const char* name, std::vector<T>& values) = 0;
};

template <typename T>
struct SaveFields final : StateFields<T> {
  OptimizerState<T> state;
  void number(const char* name, double& value) override { state.numbers.emplace_back(name, value); }
  void number(const char* name, float& value) override { state.numbers.emplace_back(name, value); }
  void flag(const char* name, bool& value) override { state.numbers.emplace_back(name, value ? 1.0 : 0.0); }
  void buffer(const char* name, std::vector<T>& values) override { state.buffers.emplace_back(name, values); }
};

// Loads into the members, after checking everything (a first pass with check_only).
template <typename T>
struct LoadFields final : StateFields<T> {
  const OptimizerState<T>& state;
  std::size_t n;
  bool check_only = true;
  LoadFields(const OptimizerState<T>& s, std::size_t params) : state(s), n(params) {}

  double find_number(const char* name) const {
    for (const auto& [key, value] : state.numbers)
      if (key == name) {
        if (!std::isfinite(value)) throw InvalidArgument(std::string("optimizer state: ") + name + " is " + num(value));
        return value;
      }
    throw InvalidArgument(std::string("optimizer state: no '") + name + "'");
  }
  void number(const char* name, double& value) override {
    const double v = find_number(name);
    if (!check_only) value = v;
  }
  void number(const char* name, float& value) override {
    const double v = find_number(name);
    if (!check_only) value = static_cast<float>(v);
  }
  void flag(const char* name, bool& value) override {
    const double v = find_number(name);
    if (!check_only) value = v != 0;
  }
  void buffer(const char* name, std::vector<T>& values) override {
    for (const auto& [key, saved] : state.buffers)
      if (key == name) {
        if (!saved.empty() && saved.size() != n)
          throw InvalidArgument(std::string("optimizer state: ") + name + " holds " + std::to_string(saved.size()) +
                                " values for " + std::to_string(n) + " parameters");
        if (!check_only) values = saved;
        return;
      }
    throw InvalidArgument(std::string("optimizer state: no buffer '") + name + "'");
  }
};

// Records the parameter count on the first step and refuses a different one afterwards; saves
// and restores the state its subclass names in fields().
template <typename T>
class FlatOptimizer : public Optimizer<T> {
 public:
  OptimizerState<T> state() const override {
    SaveFields<T> save;
    save.state.numbers.emplace_back("parameters", n_ ? static_cast<double>(*n_) : 0.0);
    const_cast<FlatOptimizer*>(this)->fields(save);  // SaveFields only reads the members
    return std::move(save.state);
  }
  void set_state(const OptimizerState<T>& state) override {
    LoadFields<T> load(state, 0);
    double n = load.find_number("parameters");
    if (n < 0 || n != std::floor(n) || n > 1e15) throw InvalidArgument("optimizer state: bad parameter count " + num(n));
    load.n = static_cast<std::size_t>(n);
    fields(load);  // checks everything first
    load.check_only = false;
    fields(load);
    n_ = load.n ? std::optional<std::size_t>(load.n) : std::nullopt;
  }

 protected:
  // The members the optimizer keeps between steps.
  virtual void fields(StateFields<T>& f) = 0;
  // Returns true on the first step, when the state buffers must be sized.
  bool begin_step(std::size_t n) {
    if (n_) {
      if (*n_ != n)
        fail(label(), "step got " + std::to_string(n) + " parameters, but its state was made for " +
                          std::to_string(*n_));
      return false;
    }
    n_ = n;
    return true;
  }
  void check_lr(double lr) const { require_nonnegative(label(), "lr", lr); }
  virtual const char* label() const = 0;

 private:
  std::optional<std::size_t> n_;
};

// ---- SGD --------------------------------------------------------------------------------------

template <typename T>
class Sgd final : public FlatOptimizer<T> {
 public:
  explicit Sgd(const SGDOptions& o) : o_(o) { validate(o_); }

  // torch.optim.sgd._single_tensor_sgd:
  //   d_p = grad + weight_decay * p                      (if weight_decay != 0)
  //   buf = d_p on the first momentum step, else buf = buf * momentum + (1 - dampening) * d_p
  //   d_p = nesterov ? d_p + momentum * buf : buf        (if momentum != 0)
  //   p   = p + (-lr) * d_p
  void step(T* params, const T* grads, std::size_t n) override {
    this->begin_step(n);
    const double lr = o_.lr, momentum = o_.momentum, wd = o_.weight_decay, damp = o_.dampening;
    // The buffer is created (a copy of d_p) on the first step with momentum != 0, as torch does.
    const bool first_momentum = momentum != 0 && !has_buf_;
    if (first_momentum) {
      buf_.assign(n, T(0));
      has_buf_ = true;
    }
    T* __restrict buf_data = buf_.data();
    T* __restrict param = params;  // the buffers do not overlap: loops without alias checks
    const T* __restrict grad_in = grads;
    with_flags(
        [&](auto decay, auto use_momentum, auto first, auto nesterov) {
          MLP_PARALLEL_FOR(n)
          for (std::size_t i = 0; i < n; ++i) {
            const double p = param[i];
            double d_p = grad_in[i];
            if constexpr (decay) d_p = d_p + wd * p;
            if constexpr (use_momentum) {
              const double buf = first ? d_p : double(buf_data[i]) * momentum + (1 - damp) * d_p;
              buf_data[i] = static_cast<T>(buf);
              d_p = nesterov ? d_p + momentum * buf : buf;
            }
            param[i] = static_cast<T>(p + (-lr) * d_p);
          }
        },
        wd != 0, momentum != 0, first_momentum, o_.nesterov && momentum != 0);
  }
  double lr() const override { return o_.lr; }
  void set_lr(double lr) override {
    this->check_lr(lr);
    o_.lr = lr;
  }
  // torch's SGD has a 'momentum' setting even at 0, so one-cycle cycles (and switches on) it.
  bool has_momentum() const override { return true; }
  double momentum() const override { return o_.momentum; }
  void set_momentum(double momentum) override {
    SGDOptions o = o_;
    o.momentum = momentum;
    validate(o);
    o_ = o;
  }
  std::string name() const override { return "sgd"; }

 private:
  const char* label() const override { return "sgd"; }
  void fields(StateFields<T>& f) override {
    f.number("lr", o_.lr);
    f.number("momentum", o_.momentum);
    f.flag("has_momentum_buffer", has_buf_);
    f.buffer("momentum_buffer", buf_);
  }
  SGDOptions o_;
  std::vector<T> buf_;  // momentum_buffer
  bool has_buf_ = false;
};

// ---- Adam and AdamW ---------------------------------------------------------------------------

struct AdamConstants {
  double beta1, beta2, weight_decay;
  double decay;  // adamw's factor, 1 - lr * weight_decay
  double step_size, bias_correction2_sqrt, eps;
};

// Adam's update (Adam::step) of elements [begin, end), in blocks of kUpdateBlock that the threads
// share out. The arithmetic is float32's for float32 (see the top of the file), double otherwise.
constexpr std::size_t kUpdateBlock = 16384;

template <bool Decoupled, bool L2, bool Amsgrad, typename T>
MLP_CLONES void adam_update(T* __restrict param, const T* __restrict grad_in, T* __restrict m_data,
                            T* __restrict v_data, T* __restrict v_max_data, std::size_t begin, std::size_t end,
                            const AdamConstants& c) {
  using A = T;  // the arithmetic's type: float32 for float32 (see the top of the file)
  const A beta1 = A(c.beta1), beta2 = A(c.beta2), one_minus_beta1 = A(1 - c.beta1), one_minus_beta2 = A(1 - c.beta2);
  const A decay = A(c.decay), wd = A(c.weight_decay), step_size = A(-c.step_size);
  const A bias_correction2_sqrt = A(c.bias_correction2_sqrt), eps = A(c.eps);
  for (std::size_t i = begin; i < end; ++i) {
    A p = param[i];
    A grad = grad_in[i];
    if constexpr (Decoupled)
      // Rounded on its own, as when this was a branch: "+ 0" keeps the compiler from fusing the
      // product into the update's add below (one rounding fewer, other bits).
      p = p * decay + A(0);
    else if constexpr (L2)
      grad = grad + wd * p;
    const A m = m_data[i] * beta1 + one_minus_beta1 * grad;
    A v = v_data[i] * beta2 + one_minus_beta2 * grad * grad;
    m_data[i] = static_cast<T>(m);
    v_data[i] = static_cast<T>(v);
    if constexpr (Amsgrad) {
      v = A(maximum(double(v_max_data[i]), double(v)));
      v_max_data[i] = static_cast<T>(v);
    }
    const A denom = std::sqrt(v) / bias_correction2_sqrt + eps;
    param[i] = static_cast<T>(p + step_size * m / denom);
  }
}

template <typename T>
class Adam final : public FlatOptimizer<T> {
 public:
  explicit Adam(const AdamConfig& o) : o_(o) { validate(o_); }

  // torch.optim.adam._single_tensor_adam (adamw._single_tensor_adamw where noted):
  //   step += 1
  //   grad = grad + weight_decay * p                      (adam, if weight_decay != 0)
  //   p    = p * (1 - lr * weight_decay)                  (adamw, always)
  //   m    = m * beta1 + (1 - beta1) * grad
  //   v    = v * beta2 + (1 - beta2) * grad * grad
  //   bias_correction1 = 1 - beta1 ** step, bias_correction2 = 1 - beta2 ** step
  //   step_size = lr / bias_correction1
  //   v_max = max(v_max, v)                               (amsgrad; then v_max replaces v below)
  //   denom = sqrt(v) / sqrt(bias_correction2) + eps
  //   p    = p + (-step_size) * m / denom
  void step(T* params, const T* grads, std::size_t n) override {
    if (this->begin_step(n)) {
      m_.assign(n, T(0));
      v_.assign(n, T(0));
      if (o_.amsgrad) v_max_.assign(n, T(0));
    }
    step_ += 1.0f;  // torch keeps the step count in a float32 tensor
    const double step = step_;
    const double lr = o_.lr, beta1 = o_.beta1, beta2 = o_.beta2, eps = o_.eps, wd = o_.weight_decay;
    const double bias_correction1 = 1 - std::pow(beta1, step);
    const double bias_correction2 = 1 - std::pow(beta2, step);
    const double step_size = lr / bias_correction1;
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);
    const AdamConstants c{beta1, beta2, wd, 1 - lr * wd, step_size, bias_correction2_sqrt, eps};
    T* m_data = m_.data();
    T* v_data = v_.data();
    T* v_max_data = v_max_.data();
    with_flags(
        [&](auto decoupled, auto l2, auto amsgrad) {
          const std::size_t blocks = (n + kUpdateBlock - 1) / kUpdateBlock;
          MLP_PARALLEL_FOR(n)
          for (std::size_t b = 0; b < blocks; ++b)
            adam_update<decltype(decoupled)::value, decltype(l2)::value, decltype(amsgrad)::value>(
                params, grads, m_data, v_data, v_max_data, b * kUpdateBlock, std::min(n, (b + 1) * kUpdateBlock), c);
        },
        o_.decoupled, !o_.decoupled && wd != 0, o_.amsgrad);
  }
  double lr() const override { return o_.lr; }
  void set_lr(double lr) override {
    this->check_lr(lr);
    o_.lr = lr;
  }
  // One-cycle cycles beta1, as torch does for optimizers with `betas`.
  bool has_momentum() const override { return true; }
  double momentum() const override { return o_.beta1; }
  void set_momentum(double momentum) override {
    require_unit(o_.name, "beta1", momentum);
    o_.beta1 = momentum;
  }
  std::string name() const override { return o_.name; }

 private:
  const char* label() const override { return o_.name; }
  void fields(StateFields<T>& f) override {
    f.number("lr", o_.lr);
    f.number("beta1", o_.beta1);
    f.number("step", step_);
    f.buffer("exp_avg", m_);
    f.buffer("exp_avg_sq", v_);
    f.buffer("max_exp_avg_sq", v_max_);
  }
  AdamConfig o_;
  float step_ = 0;
  std::vector<T> m_, v_, v_max_;  // exp_avg, exp_avg_sq, max_exp_avg_sq
};

// ---- RMSprop ----------------------------------------------------------------------------------

template <typename T>
class RMSprop final : public FlatOptimizer<T> {
 public:
  explicit RMSprop(const RMSpropOptions& o) : o_(o) { validate(o_); }

  // torch.optim.rmsprop._single_tensor_rmsprop:
  //   grad = grad + weight_decay * p                      (if weight_decay != 0)
  //   sq   = sq * alpha + (1 - alpha) * grad * grad
  //   avg  = sqrt(sq)                                     (plain)
  //   g    = g * alpha + (1 - alpha) * grad; avg = sqrt(sq - g * g)   (centered)
  //   avg  = avg + eps
  //   buf  = buf * momentum + grad / avg; p = p + (-lr) * buf        (momentum > 0)
  //   p    = p + (-lr) * grad / avg                                  (momentum 0)
  void step(T* params, const T* grads, std::size_t n) override {
    if (this->begin_step(n)) {
      square_avg_.assign(n, T(0));
      if (o_.centered) grad_avg_.assign(n, T(0));
    }
    const double lr = o_.lr, alpha = o_.alpha, eps = o_.eps, wd = o_.weight_decay, momentum = o_.momentum;
    // torch makes the buffer (zeros) on the first step if momentum > 0 then; we make it when
    // momentum first becomes > 0 (torch would fail if a schedule switched momentum on later).
    if (momentum > 0 && buf_.empty()) buf_.assign(n, T(0));
    T* __restrict square_avg = square_avg_.data();
    T* __restrict grad_avg = grad_avg_.data();
    T* __restrict buf_data = buf_.data();
    T* __restrict param = params;  // the buffers do not overlap: loops without alias checks
    const T* __restrict grad_in = grads;
    with_flags(
        [&](auto decay, auto centered, auto use_momentum) {
          MLP_PARALLEL_FOR(n)
          for (std::size_t i = 0; i < n; ++i) {
            const double p = param[i];
            double grad = grad_in[i];
            if constexpr (decay) grad = grad + wd * p;
            const double sq = double(square_avg[i]) * alpha + (1 - alpha) * grad * grad;
            square_avg[i] = static_cast<T>(sq);
            double avg;
            if constexpr (centered) {
              const double g = double(grad_avg[i]) * alpha + (1 - alpha) * grad;
              grad_avg[i] = static_cast<T>(g);
              avg = std::sqrt(sq + (-1.0) * g * g);  // square_avg.addcmul(grad_avg, grad_avg, value=-1)
            } else {
              avg = std::sqrt(sq);
            }
            avg = avg + eps;
            if constexpr (use_momentum) {
              const double buf = double(buf_data[i]) * momentum + 1.0 * grad / avg;
              buf_data[i] = static_cast<T>(buf);
              param[i] = static_cast<T>(p + (-lr) * buf);
            } else {
              param[i] = static_cast<T>(p + (-lr) * grad / avg);
            }
          }
        },
        wd != 0, o_.centered, momentum > 0);
  }
  double lr() const override { return o_.lr; }
  void set_lr(double lr) override {
    this->check_lr(lr);
    o_.lr = lr;
  }
  // As SGD: torch's RMSprop has a 'momentum' setting even at 0, which one-cycle cycles.
  bool has_momentum() const override { return true; }
  double momentum() const override { return o_.momentum; }
  void set_momentum(double momentum) override {
    require_nonnegative("rmsprop", "momentum", momentum);
    o_.momentum = momentum;
  }
  std::string name() const override { return "rmsprop"; }

 private:
  const char* label() const override { return "rmsprop"; }
  void fields(StateFields<T>& f) override {
    f.number("lr", o_.lr);
    f.number("momentum", o_.momentum);
    f.buffer("square_avg", square_avg_);
    f.buffer("grad_avg", grad_avg_);
    f.buffer("momentum_buffer", buf_);
  }
  RMSpropOptions o_;
  std::vector<T> square_avg_, grad_avg_, buf_;  // square_avg, grad_avg, momentum_buffer
};

// ---- Adagrad ----------------------------------------------------------------------------------

template <typename T>
class Adagrad final : public FlatOptimizer<T> {
 public:
  explicit Adagrad(const AdagradOptions& o) : o_(o) { validate(o_); }

  // torch.optim.adagrad._single_tensor_adagrad:
  //   step += 1
  //   grad = grad + weight_decay * p                      (if weight_decay != 0)
  //   clr  = lr / (1 + (step - 1) * lr_decay)
  //   sum  = sum + grad * grad                            (sum starts at initial_accumulator_value)
  //   p    = p + (-clr) * grad / (sqrt(sum) + eps)
  void step(T* params, const T* grads, std::size_t n) override {
    if (this->begin_step(n)) sum_.assign(n, static_cast<T>(o_.initial_accumulator_value));
    step_ += 1.0f;  // a float32 tensor in torch
    const double step = step_;
    const double wd = o_.weight_decay, eps = o_.eps;
    const double clr = o_.lr / (1 + (step - 1) * o_.lr_decay);
    T* __restrict sum_data = sum_.data();
    T* __restrict param = params;  // the buffers do not overlap: loops without alias checks
    const T* __restrict grad_in = grads;
    with_flags(
        [&](auto decay) {
          MLP_PARALLEL_FOR(n)
          for (std::size_t i = 0; i < n; ++i) {
            const double p = param[i];
            double grad = grad_in[i];
            if constexpr (decay) grad = grad + wd * p;
            const double sum = double(sum_data[i]) + 1.0 * grad * grad;  // addcmul_(grad, grad, value=1)
            sum_data[i] = static_cast<T>(sum);
            const double std_ = std::sqrt(sum) + eps;
            param[i] = static_cast<T>(p + (-clr) * grad / std_);
          }
        },
        wd != 0);
  }
  double lr() const override { return o_.lr; }
  void set_lr(double lr) override {
    this->check_lr(lr);
    o_.lr = lr;
  }
  bool has_momentum() const override { return false; }
  double momentum() const override { return 0; }
  void set_momentum(double momentum) override {
    fail("adagrad", "has no momentum to set (got " + num(momentum) + ")");
  }
  std::string name() const override { return "adagrad"; }

 private:
  const char* label() const override { return "adagrad"; }
  void fields(StateFields<T>& f) override {
    f.number("lr", o_.lr);
    f.number("step", step_);
    f.buffer("sum", sum_);
  }
  AdagradOptions o_;
  float step_ = 0;
  std::vector<T> sum_;
};

}  // namespace

// ---- factory and defaults ---------------------------------------------------------------------

template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerOptions& options) {
  struct Make {
    std::unique_ptr<Optimizer<T>> operator()(const SGDOptions& o) const { return std::make_unique<Sgd<T>>(o); }
    std::unique_ptr<Optimizer<T>> operator()(const AdamOptions& o) const {
      return std::make_unique<Adam<T>>(
          AdamConfig{o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, o.amsgrad, false, "adam"});
    }
    std::unique_ptr<Optimizer<T>> operator()(const AdamWOptions& o) const {
      return std::make_unique<Adam<T>>(
          AdamConfig{o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, o.amsgrad, true, "adamw"});
    }
    std::unique_ptr<Optimizer<T>> operator()(const RMSpropOptions& o) const {
      return std::make_unique<RMSprop<T>>(o);
    }
    std::unique_ptr<Optimizer<T>> operator()(const AdagradOptions& o) const {
      return std::make_unique<Adagrad<T>>(o);
    }
  };
  return std::visit(Make{}, options);
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerOptions&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerOptions&);

namespace {

// Each optimizer's name and its options with their defaults.
using MakeOptions = OptimizerOptions (*)();
template <typename O>
OptimizerOptions defaults() {
  return O{};
}
constexpr NameEntry<MakeOptions> kOptimizers[] = {
    {"sgd", &defaults<SGDOptions>},  // torch requires lr for SGD; ours defaults to 0.01
    {"adam", &defaults<AdamOptions>},
    {"adamw", &defaults<AdamWOptions>},
    {"rmsprop", &defaults<RMSpropOptions>},
    {"adagrad", &defaults<AdagradOptions>},
};

}  // namespace

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names = canonical_names<MakeOptions>(kOptimizers);
  return names;
}

OptimizerOptions default_optimizer_options(std::string_view name) {
  return parse_name<MakeOptions>(kOptimizers, name, "optimizer")();
}

OptimizerOptions optimizer_options(std::string_view name, std::optional<double> lr, double momentum, bool nesterov,
                                   std::optional<double> weight_decay) {
  OptimizerOptions o = default_optimizer_options(name);
  std::visit(
      [&](auto& opt) {
        using O = std::decay_t<decltype(opt)>;
        if (lr) opt.lr = *lr;
        if (weight_decay) opt.weight_decay = *weight_decay;
        if constexpr (std::is_same_v<O, SGDOptions> || std::is_same_v<O, RMSpropOptions>) {
          opt.momentum = momentum;
        } else if (momentum != 0) {
          throw InvalidArgument("momentum applies to sgd and rmsprop, not " + std::string(name));
        }
        if constexpr (std::is_same_v<O, SGDOptions>) {
          opt.nesterov = nesterov;
        } else if (nesterov) {
          throw InvalidArgument("nesterov applies to sgd, not " + std::string(name));
        }
      },
      o);
  return o;
}

double optimizer_lr(const OptimizerOptions& options) {
  return std::visit([](const auto& v) { return v.lr; }, options);
}

}  // namespace mlp
