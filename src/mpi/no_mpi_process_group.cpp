#include "imcosim/error.hpp"
#include "mpi_process_group.hpp"

namespace imcosim::mpi {

bool mpi_available() noexcept { return false; }

std::unique_ptr<ProcessGroup> join_mpi_world() {
  throw Error(ErrorKind::runtime, "imcosim was built without MPI");
}

}  // namespace imcosim::mpi
