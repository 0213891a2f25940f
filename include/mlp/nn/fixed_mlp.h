// A one-hidden-layer network whose widths are compile-time constants: In -> Hidden (relu or
// identity) -> Out (linear), trained with mean squared error and plain SGD, as the tutorial does.
// For small networks whose shape is known when the program is built (the tutorial's 2-4-1,
// controllers, embedded models): no heap, no virtual calls, no size checks in the loops; the
// compiler unrolls everything and keeps the weights in registers while training. Being unrolled,
// it is meant for widths of tens, not hundreds. Model and Trainer remain the general path; a
// FixedMlp converts from and to a Model of the same shape.
//
// The arithmetic is fixed, whatever the contraction setting (no a * b + c fused behind our back;
// -ffast-math, which would also reorder sums and drop the NaN checks, is refused), and each SIMD
// lane computes exactly the scalar formula:
//   the hidden layer's products x · W1ᵀ and hdᵀ · x: a chain of fused multiply-adds in index
//     order, started by one rounded product (as BLAS's matrix-matrix kernels compute them);
//   the output layer's products h · W2ᵀ, dᵀ · h and d · W2: rounded products summed in two lanes,
//     even and odd indices, then the lanes added (as numpy's matrix-vector kernel sums them here);
//   everything else rounded operation by operation as numpy writes it: z + b, relu, p - y,
//     2 (p - y) / n, (h > 0) * g, w - g * lr, b - sum(d) * lr.
// For the tutorial's run this is numpy's arithmetic: the trained weights equal, bit for bit,
// those Debian's numpy computes on this project's machines (tests/nn/test_fixed_mlp.cpp). They agree
// with Trainer's (SGD on MSE, whose products are plain fused chains) to the last few bits.
#pragma once

#include <cmath>
#include <cstddef>
#include <experimental/simd>
#include <string>
#include <type_traits>
#include <utility>

#include "mlp/nn/activation.h"
#include "mlp/core/error.h"
#include "mlp/nn/model.h"

#if defined(__FAST_MATH__) || (defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__)
#error "mlp/nn/fixed_mlp.h: -ffast-math / -ffinite-math-only would change FixedMlp's arithmetic and remove its divergence checks; compile this file without them"
#endif

// No a * b + c fused behind our back: GCC per function (the pragma region), Clang per block
// (Clang ignores the pragma under -ffp-contract=fast; its default, "on", respects it).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__clang__)
#define MLP_FIXED_NO_CONTRACT _Pragma("clang fp contract(off)")
#else
#define MLP_FIXED_NO_CONTRACT
#endif
// The step and its pieces are inlined into the training loop, whatever the compiler's estimate:
// that is what keeps the weights in registers from one step to the next.
#if defined(__GNUC__)
#define MLP_FIXED_INLINE [[gnu::always_inline]] inline
#else
#define MLP_FIXED_INLINE inline
#endif

namespace mlp {

namespace stdx = std::experimental;

template <typename T, std::size_t In, std::size_t Hidden, std::size_t Out,
          ActivationKind Act = ActivationKind::relu>
class FixedMlp {
  static_assert(In > 0 && Hidden > 0 && Out > 0, "FixedMlp: every width must be at least 1");
  static_assert(Act == ActivationKind::relu || Act == ActivationKind::identity,
                "FixedMlp: the hidden activation is relu or identity");

 public:
  // The parameters, laid out as Model's: weights (out, in) row-major, then biases.
  struct Parameters {
    T w1[Hidden][In] = {};
    T b1[Hidden] = {};
    T w2[Out][Hidden] = {};
    T b2[Out] = {};
  };

  FixedMlp() = default;  // all parameters zero

  // The weights of `model`, which must be In-Hidden-Out with a relu (or identity, as Act says)
  // hidden layer, a linear output, no batch normalization and no dropout (InvalidArgument).
  explicit FixedMlp(const Model<T>& model) {
    check_shape(model, "FixedMlp");
    const T* w = model.parameters().data();
    for (std::size_t j = 0; j < Hidden; ++j)
      for (std::size_t k = 0; k < In; ++k) p_.w1[j][k] = *w++;
    for (std::size_t j = 0; j < Hidden; ++j) p_.b1[j] = *w++;
    for (std::size_t o = 0; o < Out; ++o)
      for (std::size_t j = 0; j < Hidden; ++j) p_.w2[o][j] = *w++;
    for (std::size_t o = 0; o < Out; ++o) p_.b2[o] = *w++;
  }

  // Writes the parameters into `model` (same conditions as the constructor).
  void copy_to(Model<T>& model) const {
    check_shape(model, "FixedMlp::copy_to");
    T* w = model.parameters().data();
    for (std::size_t j = 0; j < Hidden; ++j)
      for (std::size_t k = 0; k < In; ++k) *w++ = p_.w1[j][k];
    for (std::size_t j = 0; j < Hidden; ++j) *w++ = p_.b1[j];
    for (std::size_t o = 0; o < Out; ++o)
      for (std::size_t j = 0; j < Hidden; ++j) *w++ = p_.w2[o][j];
    for (std::size_t o = 0; o < Out; ++o) *w++ = p_.b2[o];
  }

  Parameters& parameters() { return p_; }
  const Parameters& parameters() const { return p_; }

  // The outputs y (Out) for one row x (In), with the arithmetic of training's forward pass.
  void predict(const T* x, T* y) const {
    T h[1][Hidden];
    hidden_forward<1>(p_, x, h);
    output_forward<1>(p_, h, y);
  }

  // `epochs` passes of SGD (learning rate lr) on the MSE of rows (x: rows x In, y: rows x Out),
  // Batch rows per step, in order, as the tutorial's loop. Returns the last epoch's mean loss.
  // rows must be a multiple of Batch (InvalidArgument). A loss that stops being finite throws
  // NumericError naming the epoch and batch; the parameters are then left as they were before
  // the call, as they also are for non-finite parameters at the end.
  template <std::size_t Batch>
  double train(const T* x, const T* y, std::size_t rows, double lr, std::size_t epochs) {
    static_assert(Batch > 0, "FixedMlp::train: Batch must be at least 1");
    if (rows == 0 || rows % Batch != 0)
      throw InvalidArgument("FixedMlp::train: " + std::to_string(rows) + " rows do not split into batches of " +
                            std::to_string(Batch) + " (use Trainer for a short last batch)");
    if (!(lr >= 0) || !std::isfinite(lr))
      throw InvalidArgument("FixedMlp::train: the learning rate must be a finite number >= 0");
    Work w(p_);  // a local copy, hidden-unit-major, that the compiler keeps in registers
    const T rate = static_cast<T>(lr);
    double last = 0;
    for (std::size_t e = 0; e < epochs; ++e) {
      double total = 0;
      for (std::size_t i = 0; i < rows; i += Batch) {
        const double loss = step<Batch>(w, x + i * In, y + i * Out, rate);
        if (!std::isfinite(loss))
          throw NumericError("training diverged: loss is " + std::to_string(loss) + " at epoch " +
                             std::to_string(e + 1) + ", batch " + std::to_string(i / Batch + 1) +
                             " (try a smaller learning rate or scaled inputs)");
        total += loss;
      }
      last = total / static_cast<double>(rows / Batch);
    }
    Parameters p = w.parameters();
    if (!finite(p))
      throw NumericError("training diverged: non-finite parameters after " + std::to_string(epochs) + " epochs");
    p_ = p;
    return last;
  }

 private:
  // Training's working copy: for every input k, the weights of all hidden units as one SIMD
  // vector (w1t[k][j] = w1[j][k]); likewise the hidden biases and each output's weights. Each
  // lane is computed exactly as the scalar formula says (fma where it says fma).
  using Lanes = stdx::fixed_size_simd<T, Hidden>;
  struct Work {
    MLP_FIXED_INLINE explicit Work(const Parameters& p)
        : b1([&](auto j) { return p.b1[j]; }) {
      for (std::size_t k = 0; k < In; ++k) w1t[k] = Lanes([&](auto j) { return p.w1[j][k]; });
      for (std::size_t o = 0; o < Out; ++o) {
        w2[o] = Lanes([&](auto j) { return p.w2[o][j]; });
        b2[o] = p.b2[o];
      }
    }
    MLP_FIXED_INLINE Parameters parameters() const {
      Parameters p;
      for (std::size_t j = 0; j < Hidden; ++j) {
        for (std::size_t k = 0; k < In; ++k) p.w1[j][k] = w1t[k][j];
        p.b1[j] = b1[j];
        for (std::size_t o = 0; o < Out; ++o) p.w2[o][j] = w2[o][j];
      }
      for (std::size_t o = 0; o < Out; ++o) p.b2[o] = b2[o];
      return p;
    }
    Lanes w1t[In];
    Lanes b1;
    Lanes w2[Out];
    T b2[Out];
  };

  // The output layer's products (h · W2ᵀ, dᵀ · h, d · W2) sum their terms in two lanes, even and
  // odd indices, then add the lanes: term(0) + term(2) + ... plus term(1) + term(3) + ..., each
  // product and sum rounded. This is how numpy's matrix-vector kernel sums them for the
  // tutorial's network; it also halves the dependent chain.
  template <std::size_t K, typename Term>
  MLP_FIXED_INLINE static auto two_lane_sum(Term term) {
    MLP_FIXED_NO_CONTRACT
    auto even = term(std::integral_constant<std::size_t, 0>{});  // T, or Lanes
    if constexpr (K == 1) {
      return even;
    } else {
      decltype(even) odd = term(std::integral_constant<std::size_t, 1>{});
      each<K>([&](auto k) {
        if constexpr (k >= 2 && k % 2 == 0) even = even + term(k);
        if constexpr (k >= 2 && k % 2 == 1) odd = odd + term(k);
      });
      return even + odd;
    }
  }

  template <std::size_t B>
  MLP_FIXED_INLINE static void hidden_forward(const Parameters& p, const T* x, T (&h)[B][Hidden]) {
    MLP_FIXED_NO_CONTRACT
    for (std::size_t r = 0; r < B; ++r)
      for (std::size_t j = 0; j < Hidden; ++j) {
        T s = x[r * In] * p.w1[j][0];
        for (std::size_t k = 1; k < In; ++k) s = std::fma(x[r * In + k], p.w1[j][k], s);
        h[r][j] = activate(s + p.b1[j]);
      }
  }

  template <std::size_t B>
  MLP_FIXED_INLINE static void output_forward(const Parameters& p, const T (&h)[B][Hidden], T* out) {
    MLP_FIXED_NO_CONTRACT
    for (std::size_t r = 0; r < B; ++r)
      for (std::size_t o = 0; o < Out; ++o)
        out[r * Out + o] = two_lane_sum<Hidden>([&](std::size_t j) { return h[r][j] * p.w2[o][j]; }) + p.b2[o];
  }

  MLP_FIXED_INLINE static T activate(T z) {
    if constexpr (Act == ActivationKind::relu)
      return z < T(0) ? T(0) : z;  // NaN passes, as relu_forward
    else
      return z;
  }

  // The two-lane sum of a vector's lanes: (v0 + v2 + ...) + (v1 + v3 + ...).
  MLP_FIXED_INLINE static T two_lane_sum(const Lanes& v) {
    return two_lane_sum<Hidden>([&](std::size_t j) { return T(v[j]); });
  }

  // f(0), f(1), ..., f(N - 1) with compile-time indices (std::integral_constant): every array
  // index in the step is a constant from the start, which lets the compiler keep the weights and
  // the step's temporaries in registers.
  template <std::size_t N, typename F>
  MLP_FIXED_INLINE static void each(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::integral_constant<std::size_t, I>{}), ...); }(
        std::make_index_sequence<N>{});
  }

  // relu lane by lane: z < 0 ? 0 : z (NaN passes; stdx::max would not promise that), and its
  // backward (h > 0) * g, where 0 * g is a zero of g's sign (a non-finite g ends in NumericError
  // either way). GCC: stdx::where. Clang 14 with libstdc++ 12's simd silently ignores where()'s
  // masked assignment under AVX-512 (its bit-mask ABI); there each lane is built by a generator,
  // which is correct everywhere (and slower under GCC: 51 us instead of 33 for the tutorial).
  MLP_FIXED_INLINE static Lanes relu_lanes(Lanes z) {
#if defined(__clang__)
    return Lanes([&](auto j) { return z[j] < T(0) ? T(0) : T(z[j]); });
#else
    stdx::where(z < T(0), z) = T(0);
    return z;
#endif
  }
  MLP_FIXED_INLINE static Lanes relu_backward_lanes(const Lanes& h, Lanes g) {
#if defined(__clang__)
    return Lanes([&](auto j) { return h[j] > T(0) ? T(g[j]) : std::copysign(T(0), T(g[j])); });
#else
    stdx::where(!(h > T(0)), g) = stdx::copysign(Lanes(T(0)), g);
    return g;
#endif
  }

  // One SGD step on B rows; returns the batch's mean squared error.
  template <std::size_t B>
  MLP_FIXED_INLINE static double step(Work& w, const T* x, const T* y, T lr) {
    MLP_FIXED_NO_CONTRACT
    constexpr std::size_t n = B * Out;
    Lanes h[B], hd[B];
    T d[B][Out];
    // forward: h = relu(x · W1ᵀ + b1), p = h · W2ᵀ + b2; then d = 2 (p - y) / n, which is
    // (p - y) * (2 / n) exactly when n is a power of two (unless 2 (p - y) overflows, when the
    // loss is infinite and training throws either way).
    double loss = 0;
    each<B>([&](auto r) {
      Lanes z = Lanes(x[r * In]) * w.w1t[0];
      each<In>([&](auto k) {
        if constexpr (k > 0) z = stdx::fma(Lanes(x[r * In + k]), w.w1t[k], z);
      });
      z = z + w.b1;
      if constexpr (Act == ActivationKind::relu) z = relu_lanes(z);
      h[r] = z;
      each<Out>([&](auto o) {
        const T p = two_lane_sum(h[r] * w.w2[o]) + w.b2[o];
        const T e = p - y[r * Out + o];
        loss += static_cast<double>(e) * static_cast<double>(e);
        if constexpr (n == 2)
          d[r][o] = e;
        else if constexpr ((n & (n - 1)) == 0)
          d[r][o] = e * (T(2) / T(n));
        else
          d[r][o] = (T(2) * e) / T(n);
      });
    });
    // gradient_backward and relu_backward: hd = (h > 0) * (d · W2)
    each<B>([&](auto r) {
      Lanes g = two_lane_sum<Out>([&](auto o) { return Lanes(d[r][o]) * w.w2[o]; });
      if constexpr (Act == ActivationKind::relu) g = relu_backward_lanes(h[r], g);
      hd[r] = g;
    });
    // backward, output layer: W2 -= dᵀ · h * lr, b2 -= sum(d) * lr
    each<Out>([&](auto o) {
      T db = d[0][o];
      each<B>([&](auto r) {
        if constexpr (r > 0) db = db + d[r][o];
      });
      w.w2[o] = w.w2[o] - two_lane_sum<B>([&](auto r) { return Lanes(d[r][o]) * h[r]; }) * Lanes(lr);
      w.b2[o] = w.b2[o] - db * lr;
    });
    // backward, hidden layer: W1 -= hdᵀ · x * lr, b1 -= sum(hd) * lr
    each<In>([&](auto k) {
      Lanes s = Lanes(x[k]) * hd[0];
      each<B>([&](auto r) {
        if constexpr (r > 0) s = stdx::fma(Lanes(x[r * In + k]), hd[r], s);
      });
      w.w1t[k] = w.w1t[k] - s * Lanes(lr);
    });
    Lanes db = hd[0];
    each<B>([&](auto r) {
      if constexpr (r > 0) db = db + hd[r];
    });
    w.b1 = w.b1 - db * Lanes(lr);
    return loss / static_cast<double>(n);
  }

  static bool finite(const Parameters& p) {
    bool ok = true;
    for (std::size_t j = 0; j < Hidden; ++j) {
      ok = ok && std::isfinite(p.b1[j]);
      for (std::size_t k = 0; k < In; ++k) ok = ok && std::isfinite(p.w1[j][k]);
    }
    for (std::size_t o = 0; o < Out; ++o) {
      ok = ok && std::isfinite(p.b2[o]);
      for (std::size_t j = 0; j < Hidden; ++j) ok = ok && std::isfinite(p.w2[o][j]);
    }
    return ok;
  }

  static void check_shape(const Model<T>& model, const char* who) {
    const ModelConfig& c = model.config();
    const bool sizes = c.sizes.size() == 3 && c.sizes[0] == In && c.sizes[1] == Hidden && c.sizes[2] == Out;
    if (!sizes || model.activation(0).kind != Act || model.activation(1).kind != ActivationKind::identity ||
        c.batch_norm || c.dropout != 0)
      throw InvalidArgument(std::string(who) + ": the model must be " + std::to_string(In) + "-" +
                            std::to_string(Hidden) + "-" + std::to_string(Out) + " with a " +
                            (Act == ActivationKind::relu ? "relu" : "identity") +
                            " hidden layer, a linear output, no batch norm and no dropout");
  }

  Parameters p_;
};

}  // namespace mlp

#undef MLP_FIXED_NO_CONTRACT
#undef MLP_FIXED_INLINE
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif
