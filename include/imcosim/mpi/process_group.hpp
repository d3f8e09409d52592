#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace imcosim::mpi {

// The processes one command runs in: this process alone, or the ranks an MPI launcher (mpirun,
// srun) started, which split a campaign's samples. Commands ask join_process_group() for theirs
// and run the same steps either way; only the MPI variant talks to other processes.
class ProcessGroup {
 public:
  ProcessGroup() = default;
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;
  virtual ~ProcessGroup() = default;

  [[nodiscard]] virtual int rank() const noexcept = 0;
  [[nodiscard]] virtual int size() const noexcept = 0;
  [[nodiscard]] bool is_root() const noexcept { return rank() == 0; }

  // Every rank but the root: tells the root how many of its samples are done (a small message
  // that does not wait for the root).
  virtual void report_progress(std::int64_t done) = 0;
  // The root: takes in the progress reports that have arrived; `done_per_rank` holds the latest
  // count of every rank (the root's own entry is left as it is).
  virtual void collect_progress(std::vector<std::int64_t>& done_per_rank) = 0;

  // Every rank, once its own part ended: `status` is its exit code (0: done). Returns every
  // rank's status, in rank order, on every rank. While it waits, the root goes on collecting
  // progress and calls `on_progress` with the counts.
  [[nodiscard]] virtual std::vector<int> finish(
      int status, std::vector<std::int64_t>& done_per_rank,
      const std::function<void(const std::vector<std::int64_t>&)>& on_progress) = 0;
  // The root's value, on every rank.
  [[nodiscard]] virtual int broadcast_from_root(int value) = 0;
  // Every rank's `values`, joined in rank order, on the root (the other ranks get nothing).
  [[nodiscard]] virtual std::vector<double> gather_to_root(const std::vector<double>& values) = 0;
  // Every rank's `values`, joined in rank order, on every rank.
  [[nodiscard]] virtual std::vector<double> gather_to_all(const std::vector<double>& values) = 0;
  // Every rank's `status`, in rank order, on every rank: how the ranks learn, at a step where
  // each waits for the others anyway, whether all of them got there (0) or which failed.
  [[nodiscard]] virtual std::vector<int> exchange_statuses(int status) = 0;
};

// This process's group: the MPI ranks when an MPI launcher started it (its environment names a
// world size), otherwise this process alone, without initialising MPI. Throws imcosim::Error
// (bad input) under a launcher when imcosim was built without MPI: every rank would otherwise
// run the whole command. Call once; the group lives as long as the command.
[[nodiscard]] std::unique_ptr<ProcessGroup> join_process_group();

// The launcher's world size read from the environment (Open MPI, PMIx, PMI, Slurm's srun), or 1.
[[nodiscard]] int launcher_world_size();

// Whether this build can run on MPI (-DIMCOSIM_MPI=ON and Open MPI found).
[[nodiscard]] bool built_with_mpi() noexcept;

}  // namespace imcosim::mpi
