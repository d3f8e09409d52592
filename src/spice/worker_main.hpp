#pragma once

#include <sys/types.h>

#include <cstdint>

#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::spice {

// Exit statuses of a worker that could not serve, reported by the parent when it reaps it.
inline constexpr int kWorkerExitStartFailed = 70;    // isolation or ngspice initialisation failed
inline constexpr int kWorkerExitServingFailed = 71;  // a malformed request or a failed reply

// What every worker of a pool is given.
struct WorkerSettings {
  LinearSolver linear_solver = LinearSolver::automatic;  // every deck runs with it
  std::uint64_t memory_limit_bytes = 0;  // the worker's address space (RLIMIT_AS); 0: no limit
};

// Body of a freshly forked worker: isolates the process, limits its memory, initialises ngspice
// and serves jobs read from request_fd, answering on reply_fd, until the parent closes the
// request pipe or ngspice exits. Leaves with _exit() so that no atexit handler, stdio flush or
// LeakSanitizer pass runs on state copied from the parent.
[[noreturn]] void run_worker(pid_t parent_pid, int request_fd, int reply_fd,
                             WorkerSettings settings) noexcept;

}  // namespace imcosim::spice
