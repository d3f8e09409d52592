#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "imcosim/mpi/process_group.hpp"
#include "progress_report.hpp"

namespace imcosim::cli {

// One command's work split over the ranks of a process group (dataset, montecarlo under
// mpirun): each rank runs its part, the root shows one progress line for the samples done on
// every rank, and every rank learns whether all parts succeeded. A single process is a group of
// one: the same steps, with no messages.
class RankedRun {
 public:
  RankedRun(mpi::ProcessGroup& group, const std::string& label, std::int64_t total_samples);

  // Runs this rank's part, which reports its samples done through report(). In a group of
  // several, a failure is printed (naming the rank) and becomes the exit status instead of
  // propagating, so that every rank reaches finish(); alone, it propagates as usual.
  [[nodiscard]] int run_part(const std::function<void()>& part);
  // This rank's samples done (resumed ones included).
  void report(std::int64_t done);
  // After run_part on every rank: ends the progress line. On the root, throws imcosim::Error
  // naming the ranks that failed (bad input when one did, else runtime), with `on_failure`
  // telling what is kept; the other ranks return their own status (0 when theirs succeeded).
  [[nodiscard]] int finish(int status, const std::string& on_failure);

 private:
  mpi::ProcessGroup& group_;
  std::vector<std::int64_t> done_per_rank_;
  std::optional<ProgressReport> progress_;
};

}  // namespace imcosim::cli
