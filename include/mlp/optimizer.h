// Optimizers: update a flat parameter buffer from the matching gradient buffer.
#pragma once

#include <cstddef>

namespace mlp {

struct SGDOptions {
  double lr = 0.01;
  SGDOptions() = default;
  explicit SGDOptions(double lr) : lr(lr) {}
};

// Plain mini-batch SGD, as the tutorial's backward(): p -= lr * g.
template <typename T>
class SGD {
 public:
  // Throws InvalidArgument for a negative or non-finite learning rate.
  explicit SGD(SGDOptions options);
  const SGDOptions& options() const { return options_; }
  // params (n) -= lr * grads (n).
  void step(T* params, const T* grads, std::size_t n);

 private:
  SGDOptions options_;
};

}  // namespace mlp
