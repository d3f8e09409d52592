#include "imcosim/mpi/process_group.hpp"

#include <cstdlib>
#include <string>

#include "imcosim/error.hpp"
#include "mpi_process_group.hpp"

namespace imcosim::mpi {

namespace {

// This process alone: nothing to exchange.
class SingleProcess final : public ProcessGroup {
 public:
  [[nodiscard]] int rank() const noexcept override { return 0; }
  [[nodiscard]] int size() const noexcept override { return 1; }
  void report_progress(std::int64_t /*done*/) override {}
  void collect_progress(std::vector<std::int64_t>& /*done_per_rank*/) override {}
  [[nodiscard]] std::vector<int> finish(
      int status, std::vector<std::int64_t>& /*done_per_rank*/,
      const std::function<void(const std::vector<std::int64_t>&)>& /*on_progress*/) override {
    return {status};
  }
  [[nodiscard]] int broadcast_from_root(int value) override { return value; }
  [[nodiscard]] std::vector<double> gather_to_root(const std::vector<double>& values) override {
    return values;
  }
  [[nodiscard]] std::vector<double> gather_to_all(const std::vector<double>& values) override {
    return values;
  }
  [[nodiscard]] std::vector<int> exchange_statuses(int status) override { return {status}; }
};

}  // namespace

int launcher_world_size() {
  // Open MPI's mpirun, PMIx (Open MPI 4 and 5, srun --mpi=pmix), PMI-1/2 (srun --mpi=pmi2).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"}) {
    if (const char* value = std::getenv(name); value != nullptr) {
      const int size = std::atoi(value);
      if (size >= 1) {
        return size;
      }
    }
  }
  return 1;
}

bool built_with_mpi() noexcept { return mpi_available(); }

std::unique_ptr<ProcessGroup> join_process_group() {
  const int world_size = launcher_world_size();
  if (world_size <= 1) {
    return std::make_unique<SingleProcess>();
  }
  if (!mpi_available()) {
    throw Error(ErrorKind::bad_input,
                "an MPI launcher started " + std::to_string(world_size) +
                    " processes, but this imcosim was built without MPI (configure with "
                    "-DIMCOSIM_MPI=ON and Open MPI installed), so each would run the whole "
                    "command; run it once, or with --shard k/n per process and imcosim merge");
  }
  return join_mpi_world();
}

}  // namespace imcosim::mpi
