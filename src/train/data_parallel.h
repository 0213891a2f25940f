// Data-parallel training's stages 1-4 (docs/distributed.md): this process's share of a global
// batch through forward, loss and backward, then the sum of gradients and losses over the
// processes — per layer while backward goes on, or, deterministic, micro-batches summed in a
// fixed binary tree whatever the number of processes. Trainer::fit's; private to the library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <vector>

#include "mlp/train/communicator.h"
#include "mlp/train/dataset.h"
#include "mlp/nn/loss.h"
#include "mlp/nn/model.h"
#include "mlp/train/trainer.h"

namespace mlp {

template <typename T>
class DataParallel {
 public:
  // Sets up every buffer, and the per-layer sums, for global batches of up to max_batch rows of
  // `features` inputs and `targets` target columns. Collective. All allocation happens here.
  DataParallel(Model<T>& model, const Loss& loss, Communicator& comm, const TrainOptions& options,
               std::size_t max_batch, std::size_t features, std::size_t targets);
  ~DataParallel();  // clears the model's hook, frees the planned sums
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // Stages 1-3 for the global batch `rows` (B indices into data): forward, loss and backward of
  // this process's share, the gradient left in the model (and the sums of the layers done
  // started). An error is caught into `failure`, not thrown, so that this process still takes
  // part in the sums; with a failure already there, it computes nothing.
  void compute(const Dataset<T>& data, const std::size_t* rows, std::size_t B, std::exception_ptr& failure);
  // Stage 4: completes the sums. The model's gradients become those of the global batch's mean
  // loss, the same on every process; returns that loss. When any process has a failure, every
  // process throws (throw_if_any_failed), and `failure` is cleared.
  double reduce(std::exception_ptr& failure);

  // Global steps taken so far (a resumed fit's), which deterministic dropout seeds depend on.
  void set_steps(std::uint64_t steps) { step_ = steps; }

  // The time spent waiting in reduce() since the last call.
  double take_wait_seconds() {
    double s = wait_seconds_;
    wait_seconds_ = 0;
    return s;
  }

 private:
  // Forward, loss and backward of `b` rows of a global batch of B: the gradient of the batch
  // mean's share, (b / B) × the rows' mean loss gradient, added into the model's gradients.
  // Returns the rows' loss sum (b × their mean loss).
  double local_pass(const Dataset<T>& data, const std::size_t* rows, std::size_t b, std::size_t B);
  // Deterministic: the sum of micro-batches [lo, hi)'s gradients into tree_[depth], halving.
  void subtree(std::size_t lo, std::size_t hi, std::size_t depth);
  double loss_tree(std::size_t lo, std::size_t hi) const;  // the same over leaf_losses_

  Model<T>& model_;
  Loss loss_;
  Communicator& comm_;
  const std::size_t ranks_, rank_;
  const bool deterministic_;
  const std::size_t micro_;  // micro-batches per global batch (deterministic)
  const std::uint32_t seed_;
  std::uint64_t step_ = 0;   // global steps so far: dropout seeds (deterministic)
  Matrix<T> x_, y_, dout_;   // the rows of one pass, and dLoss/dp

  // Overlapped sums (not deterministic): one planned sum per layer's gradients, started from
  // backward's hook in descending layer order; next_layer_ is the lowest layer started.
  std::vector<Communicator::Plan> layer_plans_;
  std::size_t next_layer_ = 0;
  double stats_[2] = {0, 0};  // this process's loss sum, whether it failed; then the totals
  Communicator::Plan stats_plan_ = 0;

  // Deterministic: the batch being computed, one gradient buffer per tree depth, the gathered
  // subtree sums of all processes, and the leaf losses (plus a failure flag per process).
  const std::size_t* batch_rows_ = nullptr;
  std::size_t batch_size_ = 0;
  const Dataset<T>* data_ = nullptr;
  std::vector<std::vector<T>> tree_;
  std::vector<T> gathered_;
  std::vector<double> local_stats_, all_stats_, leaf_losses_;

  double wait_seconds_ = 0;
};

}  // namespace mlp
