// Alone or under mpirun: the communicator, the first process's printing, how errors end the job.
#include "processes.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "mlp/core/error.h"

#ifdef MLP_WITH_MPI
#include "mlp/train/mpi_communicator.h"
#endif

namespace mlp::cli {
namespace {

int env_int(std::initializer_list<const char*> names, int fallback) {
  for (const char* name : names)
    if (const char* v = std::getenv(name); v && *v) return std::atoi(v);
  return fallback;
}

SingleProcess g_alone;
#ifdef MLP_WITH_MPI
std::unique_ptr<MpiSession> g_session;
std::unique_ptr<MpiCommunicator> g_comm;
#endif

}  // namespace

int launch_rank() { return env_int({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}, 0); }
int launch_size() { return env_int({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}, 1); }

int default_threads() {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int local = env_int({"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"}, 1);
  return std::max(1, cores / std::max(1, local));
}

Communicator& processes() {
  if (launch_size() <= 1) return g_alone;
#ifdef MLP_WITH_MPI
  if (!g_comm) {
    g_session = std::make_unique<MpiSession>(nullptr, nullptr);
    g_comm = std::make_unique<MpiCommunicator>();
  }
  return *g_comm;
#else
  throw InvalidArgument("this mlp was built without MPI, so it cannot train under mpirun (install libopenmpi-dev and rebuild)");
#endif
}

int finish(int status, const std::string& line) {
#ifdef MLP_WITH_MPI
  if (g_comm) {
    if (status != 0 && !g_comm->agreed_failure()) {  // the others know nothing of it: end them all
      std::fprintf(stderr, "%s\n", line.c_str());
      std::fflush(stderr);
      MpiSession::abort(status);
    }
    if (!line.empty() && g_comm->rank() == 0) std::fprintf(stderr, "%s\n", line.c_str());
    g_comm.reset();
    g_session.reset();  // MPI_Finalize
    return status;
  }
#endif
  // Alone, or under mpirun before any process started MPI: every process met the same error
  // (they all parse the same arguments), so the first one says it.
  if (!line.empty() && launch_rank() == 0) std::fprintf(stderr, "%s\n", line.c_str());
  return status;
}

}  // namespace mlp::cli
