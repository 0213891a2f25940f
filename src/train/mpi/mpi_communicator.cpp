// mlp::Communicator over MPI: blocking collectives, planned (persistent) sums, MPI's lifetime.
#include "mlp/train/mpi_communicator.h"

#include <mpi-ext.h>  // Open MPI's extensions: MPIX_Allreduce_init (persistent collectives)

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string>

#include "mlp/core/error.h"

namespace mlp {
namespace {

int count_of(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw InvalidArgument(std::string(what) + ": " + std::to_string(n) + " elements is more than MPI's int count");
  return static_cast<int>(n);
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(argc, argv);
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void MpiSession::abort(int status) {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);  // MPI_Abort does not return; this is for the compiler
}

MpiCommunicator::MpiCommunicator(MPI_Comm comm) : comm_(comm) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

MpiCommunicator::~MpiCommunicator() {
  wait_all();
  free_plans();
}

void MpiCommunicator::allreduce_sum(double* data, std::size_t n) {
  MPI_Allreduce(MPI_IN_PLACE, data, count_of(n, "allreduce"), MPI_DOUBLE, MPI_SUM, comm_);
}

void MpiCommunicator::allreduce_sum(float* data, std::size_t n) {
  MPI_Allreduce(MPI_IN_PLACE, data, count_of(n, "allreduce"), MPI_FLOAT, MPI_SUM, comm_);
}

void MpiCommunicator::allgather(double* out, const double* in, std::size_t n) {
  const int count = count_of(n, "allgather");
  MPI_Allgather(in, count, MPI_DOUBLE, out, count, MPI_DOUBLE, comm_);
}

void MpiCommunicator::allgather(float* out, const float* in, std::size_t n) {
  const int count = count_of(n, "allgather");
  MPI_Allgather(in, count, MPI_FLOAT, out, count, MPI_FLOAT, comm_);
}

void MpiCommunicator::broadcast(void* data, std::size_t bytes, int root) {
  constexpr std::size_t kPiece = std::size_t{1} << 30;  // MPI counts are ints
  auto* p = static_cast<char*>(data);
  for (std::size_t done = 0; done < bytes; done += kPiece)
    MPI_Bcast(p + done, static_cast<int>(std::min(kPiece, bytes - done)), MPI_BYTE, root, comm_);
}

Communicator::Plan MpiCommunicator::plan(void* data, std::size_t n, MPI_Datatype type) {
  PlannedSum s{data, count_of(n, "planned sum"), type, MPI_REQUEST_NULL};
#ifdef OMPI_HAVE_MPI_EXT_PCOLLREQ
  MPIX_Allreduce_init(MPI_IN_PLACE, data, s.count, type, MPI_SUM, comm_, MPI_INFO_NULL, &s.request);
#endif
  plans_.push_back(s);
  active_.reserve(plans_.size());
  return plans_.size() - 1;
}

Communicator::Plan MpiCommunicator::plan_allreduce_sum(double* data, std::size_t n) { return plan(data, n, MPI_DOUBLE); }
Communicator::Plan MpiCommunicator::plan_allreduce_sum(float* data, std::size_t n) { return plan(data, n, MPI_FLOAT); }

void MpiCommunicator::start(Plan plan) {
  PlannedSum& s = plans_.at(plan);
#ifdef OMPI_HAVE_MPI_EXT_PCOLLREQ
  MPI_Start(&s.request);
#else
  MPI_Iallreduce(MPI_IN_PLACE, s.data, s.count, s.type, MPI_SUM, comm_, &s.request);
#endif
  active_.push_back(s.request);
}

void MpiCommunicator::progress() {
  if (active_.empty()) return;
  int done = 0;
  MPI_Testall(static_cast<int>(active_.size()), active_.data(), &done, MPI_STATUSES_IGNORE);
}

void MpiCommunicator::wait_all() {
  if (active_.empty()) return;
  MPI_Waitall(static_cast<int>(active_.size()), active_.data(), MPI_STATUSES_IGNORE);
  active_.clear();
}

void MpiCommunicator::free_plans() {
  wait_all();
#ifdef OMPI_HAVE_MPI_EXT_PCOLLREQ
  for (PlannedSum& s : plans_)
    if (s.request != MPI_REQUEST_NULL) MPI_Request_free(&s.request);
#endif
  plans_.clear();
}

}  // namespace mlp
