// A program linked against mlp::mpi: builds; run under mpirun, it prints each process's rank.
#include <cstdio>

#include "mlp/train/mpi_communicator.h"

int main(int argc, char** argv) {
  mlp::MpiSession session(&argc, &argv);
  mlp::MpiCommunicator comm;
  std::printf("process %d of %d\n", comm.rank(), comm.size());
  return 0;
}
