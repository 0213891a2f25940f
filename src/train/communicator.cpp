// Agreeing on errors across processes, and the single-process communicator.
#include "mlp/train/communicator.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "mlp/core/error.h"

namespace mlp {

Failure Failure::from(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& x) {
    return {x.code(), x.what()};
  } catch (const std::exception& x) {
    return {std::nullopt, x.what()};
  } catch (...) {
    return {std::nullopt, "unknown error"};
  }
}

void Failure::raise() const {
  if (code) throw_error(*code, message);
  throw std::runtime_error(message);
}

std::optional<Failure> Communicator::agree(const std::optional<Failure>& mine) {
  if (size() == 1) {
    if (mine) agreed_ = mine;
    return mine;
  }
  // Who failed: one flag per process, gathered everywhere.
  std::vector<double> failed(static_cast<std::size_t>(size()));
  const double flag = mine ? 1 : 0;
  allgather(failed.data(), &flag, 1);
  auto first = std::find(failed.begin(), failed.end(), 1.0);
  if (first == failed.end()) return std::nullopt;
  const int root = static_cast<int>(first - failed.begin());
  // Its kind and message, from it to everyone.
  std::uint64_t header[2] = {0, 0};
  if (rank() == root) header[0] = mine->code ? static_cast<std::uint64_t>(*mine->code) : 0, header[1] = mine->message.size();
  broadcast(header, sizeof header, root);
  Failure f;
  if (header[0] != 0) f.code = static_cast<ErrorCode>(header[0]);
  f.message = rank() == root ? mine->message : std::string(header[1], '\0');
  if (header[1] > 0) broadcast(f.message.data(), f.message.size(), root);
  agreed_ = f;
  return f;
}

void throw_if_any_failed(Communicator& comm, const std::exception_ptr& mine) {
  std::optional<Failure> own;
  if (mine) own = Failure::from(mine);
  std::optional<Failure> agreed = comm.agree(own);
  if (!agreed) return;
  if (mine && agreed->code == own->code && agreed->message == own->message) std::rethrow_exception(mine);
  agreed->raise();
}

void SingleProcess::allgather(double* out, const double* in, std::size_t n) { std::copy(in, in + n, out); }
void SingleProcess::allgather(float* out, const float* in, std::size_t n) { std::copy(in, in + n, out); }

}  // namespace mlp
