#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imcosim/spice/error.hpp"
#include "imcosim/spice/spice_job.hpp"

namespace imcosim::spice {

// ngspice's matrix solvers. Sparse 1.3 is ngspice's default and always there; KLU (ngspice 42
// and later, when compiled in) orders and factors a crossbar's nodal matrix far faster: a
// 128x128 tile's operating point takes 0.8 s instead of 90 s.
enum class LinearSolver {
  automatic,  // KLU when the library has it, else Sparse
  klu,        // KLU; a library without it rejects every deck (SpiceError, bad_input)
  sparse,     // Sparse 1.3, as ngspice 39 and older always use
};

// "auto", "klu", "sparse".
[[nodiscard]] std::string_view linear_solver_name(LinearSolver solver) noexcept;
// The inverse of linear_solver_name; throws SpiceError (bad_input) naming the accepted values.
[[nodiscard]] LinearSolver parse_linear_solver(std::string_view name);

struct WorkerPoolOptions {
  int worker_count = 1;  // >= 1
  std::chrono::milliseconds job_timeout{600000};
  int jobs_per_worker = 200;  // a worker is replaced after this many jobs (bounds ngspice leaks)
  // Every deck a worker loads runs with this solver: the worker adds ".options klu" after the
  // title line when it resolves to KLU.
  LinearSolver linear_solver = LinearSolver::automatic;
  // Address space each worker may take (RLIMIT_AS, in bytes; not applied under AddressSanitizer).
  // A deck that needs more fails in its worker ("died", or ngspice's own out-of-memory error)
  // and costs only that job. 0: this machine's physical memory shared out among the workers.
  std::uint64_t worker_memory_bytes = 0;
};

// The address-space limit each worker of a pool with `options` runs under.
[[nodiscard]] std::uint64_t worker_memory_limit_bytes(const WorkerPoolOptions& options);

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

// What the loaded ngspice shared library is and how the pool's decks run on it.
struct NgspiceInfo {
  std::string version;  // e.g. "46"
  bool klu_compiled_in = false;
  LinearSolver solver = LinearSolver::sparse;  // klu or sparse: what every deck runs with
};

// Asks a worker for the library's version banner (cached per process) and resolves the pool's
// linear_solver against it, for recording in result files. Throws SpiceError: runtime when no
// worker answers, bad_input when KLU was requested from a library without it.
NgspiceInfo ngspice_info(WorkerPool& pool);

// ngspice_info(pool).version.
std::string ngspice_version(WorkerPool& pool);

}  // namespace imcosim::spice
