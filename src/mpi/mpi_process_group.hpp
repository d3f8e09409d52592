#pragma once

// The MPI variant of ProcessGroup, compiled with Open MPI when the build has it
// (mpi_process_group.cpp) and as a stub that says so otherwise (no_mpi_process_group.cpp).
#include <memory>

#include "imcosim/mpi/process_group.hpp"

namespace imcosim::mpi {

[[nodiscard]] bool mpi_available() noexcept;
// MPI_Init (threads: funneled, only the main thread calls MPI) and the world communicator.
[[nodiscard]] std::unique_ptr<ProcessGroup> join_mpi_world();

}  // namespace imcosim::mpi
