#pragma once

#include <sys/types.h>

#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::spice {

// Exit statuses of a worker that could not serve, reported by the parent when it reaps it.
inline constexpr int kWorkerExitStartFailed = 70;    // isolation or ngspice initialisation failed
inline constexpr int kWorkerExitServingFailed = 71;  // a malformed request or a failed reply

// Body of a freshly forked worker: isolates the process, initialises ngspice and serves jobs
// read from request_fd, answering on reply_fd, until the parent closes the request pipe or
// ngspice exits. Every deck runs with `solver` (see NgspiceSession). Leaves with _exit() so that no
// atexit handler, stdio flush or LeakSanitizer pass runs on state copied from the parent.
[[noreturn]] void run_worker(pid_t parent_pid, int request_fd, int reply_fd,
                             LinearSolver solver) noexcept;

}  // namespace imcosim::spice
