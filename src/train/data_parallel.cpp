// Data-parallel training's stages 1-4: shares of a global batch, overlapped per-layer sums, and
// the deterministic micro-batch tree.
#include "train/data_parallel.h"

#include <algorithm>
#include <chrono>
#include <exception>

namespace mlp {
namespace {

// The seed of micro-batch m's dropout masks in global step `step`: a function of the run's seed
// and the micro-batch's place alone, whichever process computes it (splitmix64's mixing).
std::uint32_t micro_batch_seed(std::uint32_t seed, std::uint64_t step, std::size_t m) {
  std::uint64_t z = (static_cast<std::uint64_t>(seed) << 32) ^ (step * 0x9E3779B97F4A7C15ull) ^ (m * 0xD1B54A32D192ED03ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<std::uint32_t>(z ^ (z >> 31));
}

std::size_t tree_depth(std::size_t leaves) {  // buffers the halving of `leaves` needs: 1 + ceil(log2)
  std::size_t depth = 1;
  for (std::size_t n = 1; n < leaves; n *= 2) ++depth;
  return depth;
}

}  // namespace

template <typename T>
DataParallel<T>::DataParallel(Model<T>& model, const Loss& loss, Communicator& comm, const TrainOptions& options,
                              std::size_t max_batch, std::size_t features, std::size_t targets)
    : model_(model),
      loss_(loss),
      comm_(comm),
      ranks_(static_cast<std::size_t>(comm.size())),
      rank_(static_cast<std::size_t>(comm.rank())),
      deterministic_(options.deterministic),
      micro_(options.micro_batches),
      seed_(options.seed) {
  // The most rows one pass sees: this process's share, or one micro-batch (rounded up).
  const std::size_t pass_rows = deterministic_ ? (max_batch + micro_ - 1) / micro_ : (max_batch + ranks_ - 1) / ranks_;
  x_.resize(std::max<std::size_t>(pass_rows, 1), features);
  y_.resize(std::max<std::size_t>(pass_rows, 1), targets);
  dout_.resize(std::max<std::size_t>(pass_rows, 1), model_.outputs());
  const std::size_t n = model_.gradients().size();
  if (deterministic_) {
    const std::size_t leaves = micro_ / ranks_;  // per process
    tree_.assign(tree_depth(leaves), std::vector<T>(n));
    gathered_.resize(ranks_ * n);
    local_stats_.resize(leaves + 1);
    all_stats_.resize(ranks_ * (leaves + 1));
    leaf_losses_.resize(micro_);
    return;
  }
  for (std::size_t layer = 0; layer < model_.num_layers(); ++layer) {
    std::span<T> g = model_.layer_gradients(layer);
    layer_plans_.push_back(comm_.plan_allreduce_sum(g.data(), g.size()));
  }
  stats_plan_ = comm_.plan_allreduce_sum(stats_, 2);
  // Each layer's sum starts as soon as backward has finished it (and every layer above).
  model_.on_layer_backward = [this](std::size_t layer) {
    while (next_layer_ > layer) comm_.start(layer_plans_[--next_layer_]);
    comm_.progress();
  };
}

template <typename T>
DataParallel<T>::~DataParallel() {
  model_.on_layer_backward = nullptr;
  comm_.free_plans();
}

template <typename T>
double DataParallel<T>::local_pass(const Dataset<T>& data, const std::size_t* rows, std::size_t b, std::size_t B) {
  const std::size_t out = model_.outputs();
  data.gather(rows, b, x_.data(), y_.data());
  const Matrix<T>& p = model_.forward(x_.data(), b);
  const double loss = loss_forward(loss_, p.data(), y_.data(), b, out);
  loss_backward(loss_, dout_.data(), p.data(), y_.data(), b, out);
  if (b != B) {  // the gradient of the rows' mean, weighted by their share of the global batch
    const T share = static_cast<T>(static_cast<double>(b) / static_cast<double>(B));
    for (std::size_t i = 0; i < b * out; ++i) dout_.data()[i] *= share;
  }
  model_.backward(dout_.data());
  return loss * static_cast<double>(b);
}

template <typename T>
void DataParallel<T>::compute(const Dataset<T>& data, const std::size_t* rows, std::size_t B,
                              std::exception_ptr& failure) {
  ++step_;
  batch_size_ = B;
  if (deterministic_) {
    data_ = &data;
    batch_rows_ = rows;
    const std::size_t lo = micro_ * rank_ / ranks_, hi = micro_ * (rank_ + 1) / ranks_;
    std::fill(leaf_losses_.begin(), leaf_losses_.end(), 0.0);
    if (!failure) {
      try {
        subtree(lo, hi, 0);
      } catch (...) {
        failure = std::current_exception();
      }
    }
    return;
  }
  // This process's rows of the batch: an equal share, the first processes one more when B does
  // not divide; perhaps none.
  const std::size_t lo = B * rank_ / ranks_, hi = B * (rank_ + 1) / ranks_;
  next_layer_ = model_.num_layers();
  stats_[0] = 0;
  if (!failure) {
    try {
      model_.zero_grad();
      if (hi > lo) stats_[0] = local_pass(data, rows + lo, hi - lo, B);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  // The sums backward did not start (no rows, or an error), in the same order as everywhere.
  while (next_layer_ > 0) comm_.start(layer_plans_[--next_layer_]);
}

template <typename T>
double DataParallel<T>::reduce(std::exception_ptr& failure) {
  const auto start = std::chrono::steady_clock::now();
  double loss_sum = 0;
  bool any_failed = false;
  if (!deterministic_) {
    stats_[1] = failure ? 1 : 0;
    comm_.start(stats_plan_);
    comm_.wait_all();
    loss_sum = stats_[0];
    any_failed = stats_[1] > 0;
  } else {
    // Every process's subtree sum and leaf losses; then the top of the tree, the same everywhere.
    const std::size_t leaves = micro_ / ranks_, n = model_.gradients().size();
    std::copy(leaf_losses_.begin() + static_cast<std::ptrdiff_t>(micro_ * rank_ / ranks_),
              leaf_losses_.begin() + static_cast<std::ptrdiff_t>(micro_ * rank_ / ranks_ + leaves), local_stats_.begin());
    local_stats_[leaves] = failure ? 1 : 0;
    comm_.allgather(all_stats_.data(), local_stats_.data(), leaves + 1);
    comm_.allgather(gathered_.data(), tree_[0].data(), n);
    for (std::size_t r = 0; r < ranks_; ++r) {
      const double* s = all_stats_.data() + r * (leaves + 1);
      std::copy(s, s + leaves, leaf_losses_.begin() + static_cast<std::ptrdiff_t>(r * leaves));
      any_failed = any_failed || s[leaves] > 0;
    }
    if (!any_failed) {
      // The processes' subtrees are the tree's nodes at depth log2(ranks): pairs, then pairs of pairs.
      for (std::size_t stride = 1; stride < ranks_; stride *= 2)
        for (std::size_t r = 0; r + stride < ranks_; r += 2 * stride) {
          T* a = gathered_.data() + r * n;
          const T* b = gathered_.data() + (r + stride) * n;
          for (std::size_t i = 0; i < n; ++i) a[i] += b[i];
        }
      std::copy(gathered_.begin(), gathered_.begin() + static_cast<std::ptrdiff_t>(n), model_.gradients().begin());
      loss_sum = loss_tree(0, micro_);
    }
  }
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (any_failed) {
    const std::exception_ptr mine = failure;
    failure = nullptr;
    throw_if_any_failed(comm_, mine);
  }
  return loss_sum / static_cast<double>(batch_size_);
}

template <typename T>
void DataParallel<T>::subtree(std::size_t lo, std::size_t hi, std::size_t depth) {
  std::vector<T>& sum = tree_[depth];
  if (hi - lo > 1) {  // the left half into this depth's buffer, the right half into the next one's
    const std::size_t mid = lo + (hi - lo) / 2;
    subtree(lo, mid, depth);
    subtree(mid, hi, depth + 1);
    const T* right = tree_[depth + 1].data();
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += right[i];
    return;
  }
  // A leaf: micro-batch lo's rows of the global batch, with dropout masks of its own.
  const std::size_t first = batch_size_ * lo / micro_, last = batch_size_ * (lo + 1) / micro_;
  model_.zero_grad();
  if (last > first) {
    model_.dropout_rng().seed(micro_batch_seed(seed_, step_, lo));
    leaf_losses_[lo] = local_pass(*data_, batch_rows_ + first, last - first, batch_size_);
  }
  std::span<const T> g = model_.gradients();
  std::copy(g.begin(), g.end(), sum.begin());
}

template <typename T>
double DataParallel<T>::loss_tree(std::size_t lo, std::size_t hi) const {
  if (hi - lo == 1) return leaf_losses_[lo];
  const std::size_t mid = lo + (hi - lo) / 2;
  return loss_tree(lo, mid) + loss_tree(mid, hi);
}

template class DataParallel<float>;
template class DataParallel<double>;

}  // namespace mlp
