// Optimizers: PyTorch's update rules and defaults over a flat parameter buffer and the
// matching gradient buffer; each keeps its state (momentum, moments) in flat buffers too.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mlp {

// Options are aggregates with PyTorch's defaults; name what you change:
//   mlp::SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true}
struct SGDOptions {
  double lr = 0.01;
  double momentum = 0;
  double dampening = 0;
  bool nesterov = false;  // needs momentum > 0 and dampening == 0
  double weight_decay = 0;
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;  // L2: added to the gradient
  bool amsgrad = false;
};

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;  // decoupled: p *= 1 - lr * weight_decay
  bool amsgrad = false;
};

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
};

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
};

using OptimizerOptions = std::variant<SGDOptions, AdamOptions, AdamWOptions, RMSpropOptions, AdagradOptions>;

// What an optimizer carries from one step to the next, for checkpoints: named numbers (its
// parameter count, step count, learning rate, momentum) and named flat buffers (momentum,
// moments; empty until a step makes them).
template <typename T>
struct OptimizerState {
  std::vector<std::pair<std::string, double>> numbers;
  std::vector<std::pair<std::string, std::vector<T>>> buffers;
};

template <typename T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of params (n) from grads (n), exactly as torch.optim's step() in float64.
  // State buffers are allocated on the first call; n must not change afterwards.
  virtual void step(T* params, const T* grads, std::size_t n) = 0;
  // The learning rate used by the next step (schedules change it between steps).
  virtual double lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // The momentum a one-cycle schedule cycles: SGD's and RMSprop's momentum, Adam's and AdamW's beta1.
  // has_momentum() is false for Adagrad only: SGD and RMSprop have a momentum setting even at 0
  // (torch's one-cycle schedule then switches it on), Adam's is beta1.
  virtual bool has_momentum() const = 0;
  virtual double momentum() const = 0;
  virtual void set_momentum(double momentum) = 0;
  // "sgd", "adam", "adamw", "rmsprop", "adagrad".
  virtual std::string name() const = 0;
  // Its state; set_state, on an optimizer made with the same options, continues exactly where
  // state() was taken. set_state throws InvalidArgument for a state that lacks a field, holds a
  // non-finite number, or a buffer whose size is not the parameter count; the optimizer is then
  // unchanged.
  virtual OptimizerState<T> state() const = 0;
  virtual void set_state(const OptimizerState<T>& state) = 0;
};

// Builds the optimizer for the options. Throws InvalidArgument for bad hyper-parameters
// (negative or non-finite lr, momentum, weight decay or eps; betas outside [0, 1); nesterov
// without momentum or with dampening; ...), naming the option and the value.
template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerOptions& options);

// PyTorch's defaults for an optimizer name: "sgd", "adam", "adamw", "rmsprop", "adagrad".
// Throws InvalidArgument listing the valid names.
OptimizerOptions default_optimizer_options(std::string_view name);
const std::vector<std::string>& optimizer_names();

// An optimizer by name with PyTorch's defaults, changed where given: lr and weight_decay (unset:
// the default), momentum and nesterov (sgd, rmsprop; InvalidArgument when given to another). The
// optimizer's learning rate: optimizer_lr.
OptimizerOptions optimizer_options(std::string_view name, std::optional<double> lr = {}, double momentum = 0,
                                   bool nesterov = false, std::optional<double> weight_decay = {});
double optimizer_lr(const OptimizerOptions& options);

}  // namespace mlp
