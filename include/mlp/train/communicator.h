// The processes that train one model together (data-parallel training, docs/distributed.md): who
// this process is among them, and the few collective operations training needs — sums, gathers,
// a broadcast, and agreeing on an error so that every process stops with the same one. The
// library knows only this interface; SingleProcess is the trivial one, and Open MPI's lives in
// src/train/mpi/ (mlp/train/mpi_communicator.h), built only where MPI is installed.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <string>

#include "mlp/core/error.h"

namespace mlp {

// An error one process met, in a form every process can throw again: the class of the library's
// exception, by its code (the CLI's exit status depends on it), and the message.
struct Failure {
  std::optional<ErrorCode> code;  // empty: an exception that is not an mlp::Error
  std::string message;

  // The failure an exception describes (an mlp::Error subclass, or any std::exception).
  static Failure from(const std::exception_ptr& e);
  // Throws the exception of `code` with `message` (std::runtime_error without a code).
  [[noreturn]] void raise() const;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;  // 0 ... size() - 1
  virtual int size() const = 0;

  // Collective operations: every process calls them, in the same order, with the same n. Each
  // process ends up with the same result.
  // data (n) becomes the element-wise sum over all processes.
  virtual void allreduce_sum(double* data, std::size_t n) = 0;
  virtual void allreduce_sum(float* data, std::size_t n) = 0;
  // out (size() * n) receives every process's `in` (n), in rank order.
  virtual void allgather(double* out, const double* in, std::size_t n) = 0;
  virtual void allgather(float* out, const float* in, std::size_t n) = 0;
  // data (bytes) becomes root's on every process.
  virtual void broadcast(void* data, std::size_t bytes, int root) = 0;

  // Sums that run while the caller computes. plan_allreduce_sum sets up, once, an in-place sum
  // over data (n), which must stay valid until free_plans(); start(plan) begins it; progress()
  // lets started sums advance (call it between pieces of work); wait_all() completes every
  // started sum. Every process plans the same sums and starts them in the same order.
  using Plan = std::size_t;
  virtual Plan plan_allreduce_sum(double* data, std::size_t n) = 0;
  virtual Plan plan_allreduce_sum(float* data, std::size_t n) = 0;
  virtual void start(Plan plan) = 0;
  virtual void progress() {}
  virtual void wait_all() = 0;
  virtual void free_plans() = 0;

  // Collective: every process passes the failure it met, if any; every process gets back the
  // failure of the lowest-ranked process that met one, or nothing. A failure found is kept
  // (agreed_failure()), so that a front end can tell an error every process stops with from one
  // only this process met.
  std::optional<Failure> agree(const std::optional<Failure>& mine);
  const std::optional<Failure>& agreed_failure() const { return agreed_; }

 private:
  std::optional<Failure> agreed_;
};

// One process alone: every collective operation leaves the data as it is (allgather copies).
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce_sum(double*, std::size_t) override {}
  void allreduce_sum(float*, std::size_t) override {}
  void allgather(double* out, const double* in, std::size_t n) override;
  void allgather(float* out, const float* in, std::size_t n) override;
  void broadcast(void*, std::size_t, int) override {}
  Plan plan_allreduce_sum(double*, std::size_t) override { return 0; }
  Plan plan_allreduce_sum(float*, std::size_t) override { return 0; }
  void start(Plan) override {}
  void wait_all() override {}
  void free_plans() override {}
};

// Collective: agrees on the processes' errors (`mine`: this process's exception, or null). When
// any process has one, every process throws: this process its own exception when it is the one
// agreed on, the others the same class of error with the same message (the lowest-ranked
// process's). Otherwise returns.
void throw_if_any_failed(Communicator& comm, const std::exception_ptr& mine);

// Runs fn() on every process of `comm`; when it throws on any of them, every process throws, as
// throw_if_any_failed says. Collective: every process must call it.
template <typename Fn>
void collectively(Communicator& comm, Fn&& fn) {
  std::exception_ptr error;
  try {
    fn();
  } catch (...) {
    error = std::current_exception();
  }
  throw_if_any_failed(comm, error);
}

}  // namespace mlp
