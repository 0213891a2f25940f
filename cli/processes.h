// The processes one `mlp train` runs as: this one alone, or under mpirun the job's processes,
// training one model together (built with MPI: MLP_WITH_MPI; docs/distributed.md). Only the
// first process prints; an error every process agreed on is printed once, and an error only
// this process met ends the whole job rather than leaving the others waiting.
#pragma once

#include <string>

#include "mlp/train/communicator.h"

namespace mlp::cli {

// This process's place in an mpirun job, from the environment mpirun sets (Open MPI's
// OMPI_COMM_WORLD_*, else PMIx's or PMI's): rank 0 of 1 when alone. Known before MPI starts.
int launch_rank();
int launch_size();
// Threads per process when --threads is not given: the cores shared among the job's processes
// on this machine (all of them when alone).
int default_threads();

// The processes training together: under mpirun (launch_size() > 1) MPI starts on the first
// call, else one process alone. Throws InvalidArgument under mpirun in a build without MPI.
Communicator& processes();

// How the command ends, for main: prints `line` (when not empty) on stderr as this process should
// and returns `status` — or, for an error that only this process met while the others may be
// waiting for it, prints it and ends every process of the job (MPI_Abort) with `status`.
int finish(int status, const std::string& line);

}  // namespace mlp::cli
