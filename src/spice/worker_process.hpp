#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>

#include "imcosim/spice/spice_job.hpp"
#include "imcosim/spice/worker_pool.hpp"
#include "posix.hpp"
#include "worker_main.hpp"

namespace imcosim::spice {

// The parent's handle on one forked ngspice worker: sends it jobs, waits for replies with a
// time-out, and kills and reaps it when it misbehaves or when the handle is destroyed.
class WorkerProcess {
 public:
  // Forks a worker. The worker receives SIGKILL when the *thread* that forked it exits
  // (PR_SET_PDEATHSIG), so call this only from a thread that outlives the worker.
  static std::unique_ptr<WorkerProcess> start(WorkerSettings settings);

  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;
  WorkerProcess(WorkerProcess&&) = delete;
  WorkerProcess& operator=(WorkerProcess&&) = delete;

  // Throws SpiceError: bad_input when ngspice rejected the job (the worker stays usable),
  // runtime when the worker crashed, timed out or exited (the worker is then dead and reaped).
  SpiceResult run(const SpiceJob& job, std::chrono::milliseconds timeout);

  [[nodiscard]] bool alive() const noexcept { return alive_; }
  [[nodiscard]] int jobs_run() const noexcept { return jobs_run_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

 private:
  WorkerProcess(pid_t pid, posix::FileDescriptor request_fd, posix::FileDescriptor reply_fd,
                std::uint64_t memory_limit_bytes);

  SpiceResult exchange(const SpiceJob& job, std::chrono::milliseconds timeout);
  // Kills the worker's process group, reaps the worker and returns its wait status.
  int kill_and_reap();
  // Reaps a worker that is exiting on its own and returns its wait status.
  int reap();
  [[noreturn]] void throw_died(const std::string& when);

  pid_t pid_;
  posix::FileDescriptor request_fd_;
  posix::FileDescriptor reply_fd_;
  std::uint64_t memory_limit_bytes_;  // for messages: why a worker may have died
  bool alive_ = true;
  int jobs_run_ = 0;
};

}  // namespace imcosim::spice
