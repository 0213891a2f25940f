// mlp::Communicator over Open MPI (any MPI): the processes `mpirun -np N` starts, training one
// model together (docs/distributed.md). Built as the optional target mlp_mpi (mpi/), only where
// CMake's FindMPI finds MPI; the library itself knows nothing of MPI.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <vector>

#include "mlp/train/communicator.h"

namespace mlp {

// MPI's lifetime in a process: MPI_Init on construction, MPI_Finalize on destruction.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  // Ends every process of the job at once (MPI_Abort) with exit status `status`: for an error
  // the other processes do not know of, which would otherwise leave them waiting.
  [[noreturn]] static void abort(int status);
};

// The processes of an MPI communicator (MPI_COMM_WORLD by default); MPI must be initialized.
// MPI's errors stay fatal (MPI_ERRORS_ARE_FATAL): a process that dies ends the job rather than
// leaving the others waiting. Planned sums are MPI-4 persistent collectives where Open MPI has
// them (MPIX_Allreduce_init), else MPI_Iallreduce at each start.
class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(MPI_Comm comm = MPI_COMM_WORLD);
  ~MpiCommunicator() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void allreduce_sum(double* data, std::size_t n) override;
  void allreduce_sum(float* data, std::size_t n) override;
  void allgather(double* out, const double* in, std::size_t n) override;
  void allgather(float* out, const float* in, std::size_t n) override;
  void broadcast(void* data, std::size_t bytes, int root) override;
  Plan plan_allreduce_sum(double* data, std::size_t n) override;
  Plan plan_allreduce_sum(float* data, std::size_t n) override;
  void start(Plan plan) override;
  void progress() override;
  void wait_all() override;
  void free_plans() override;

 private:
  struct PlannedSum {
    void* data;
    int count;
    MPI_Datatype type;
    MPI_Request request;  // persistent, or the last MPI_Iallreduce's
  };
  Plan plan(void* data, std::size_t n, MPI_Datatype type);

  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  std::vector<PlannedSum> plans_;
  std::vector<MPI_Request> active_;  // started and not yet waited for; capacity reserved by plan()
};

}  // namespace mlp
