#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "imcosim/spice/error.hpp"
#include "imcosim/spice/spice_job.hpp"

namespace imcosim::spice {

struct WorkerPoolOptions {
  int worker_count = 1;  // >= 1
  std::chrono::milliseconds job_timeout{600000};
  int jobs_per_worker = 200;  // a worker is replaced after this many jobs (bounds ngspice leaks)
};

// Runs ngspice jobs in forked worker processes, each holding its own ngspice instance, so that a
// crash, a hang or a controlled exit of ngspice costs one worker and never the caller. Workers
// are started lazily on first need, replaced when they die, and never outlive the pool's
// process. The pool must not be destroyed while a run() is in progress.
class WorkerPool {
 public:
  // Throws SpiceError (bad_input) on invalid options.
  explicit WorkerPool(WorkerPoolOptions options);
  ~WorkerPool();  // terminates and reaps every worker
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  WorkerPool(WorkerPool&&) = delete;
  WorkerPool& operator=(WorkerPool&&) = delete;

  // Runs one job in a worker process; thread-safe (up to worker_count jobs run at once).
  // Throws SpiceError on any ngspice failure, crash (worker died: names the signal) or time-out
  // (worker killed). The pool stays usable afterwards: a fresh worker replaces a dead one.
  SpiceResult run(const SpiceJob& job);

  // Runs all jobs across the workers in parallel; element k holds the result or the error of
  // job k.
  std::vector<std::variant<SpiceResult, SpiceError>> run_all(std::span<const SpiceJob> jobs);

  // Resident memory (bytes, from /proc/PID/status VmRSS) of each live worker; for leak tests and
  // benchmarks.
  [[nodiscard]] std::vector<std::size_t> worker_resident_bytes() const;

  [[nodiscard]] const WorkerPoolOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The ngspice version string (e.g. "39"), obtained in a worker (cached), for recording in result
// files.
std::string ngspice_version(WorkerPool& pool);

}  // namespace imcosim::spice
