// Agreeing on errors across processes, and the single-process communicator.
#include "mlp/communicator.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "mlp/data/error.h"
#include "mlp/error.h"

namespace mlp {

Failure Failure::from(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const data::DataError& x) {
    return {Kind::data, x.what()};
  } catch (const InvalidArgument& x) {
    return {Kind::invalid_argument, x.what()};
  } catch (const ShapeError& x) {
    return {Kind::shape, x.what()};
  } catch (const NumericError& x) {
    return {Kind::numeric, x.what()};
  } catch (const Error& x) {
    return {Kind::error, x.what()};
  } catch (const std::exception& x) {
    return {Kind::other, x.what()};
  } catch (...) {
    return {Kind::other, "unknown error"};
  }
}

void Failure::raise() const {
  switch (kind) {
    case Kind::data: throw data::DataError(message);
    case Kind::invalid_argument: throw InvalidArgument(message);
    case Kind::shape: throw ShapeError(message);
    case Kind::numeric: throw NumericError(message);
    case Kind::error: throw Error(message);
    case Kind::other: break;
  }
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
  if (rank() == root) header[0] = static_cast<std::uint64_t>(mine->kind), header[1] = mine->message.size();
  broadcast(header, sizeof header, root);
  Failure f;
  f.kind = static_cast<Failure::Kind>(header[0]);
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
  if (mine && agreed->kind == own->kind && agreed->message == own->message) std::rethrow_exception(mine);
  agreed->raise();
}

void SingleProcess::allgather(double* out, const double* in, std::size_t n) { std::copy(in, in + n, out); }
void SingleProcess::allgather(float* out, const float* in, std::size_t n) { std::copy(in, in + n, out); }

}  // namespace mlp
