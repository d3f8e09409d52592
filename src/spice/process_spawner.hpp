#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "worker_process.hpp"

namespace imcosim::spice {

// A dedicated thread that performs every fork of a pool. Workers die with the thread that forked
// them (PR_SET_PDEATHSIG follows the forking thread, not the process), so forking from the
// short-lived threads of run_all() would kill workers early; this thread lives as long as the
// pool. It also serialises forks, so no two threads of the pool fork at once.
class ProcessSpawner {
 public:
  explicit ProcessSpawner(WorkerSettings settings);  // of every worker it forks
  ~ProcessSpawner();
  ProcessSpawner(const ProcessSpawner&) = delete;
  ProcessSpawner& operator=(const ProcessSpawner&) = delete;
  ProcessSpawner(ProcessSpawner&&) = delete;
  ProcessSpawner& operator=(ProcessSpawner&&) = delete;

  // Blocks until the spawner thread has forked a new worker; rethrows its SpiceError.
  std::unique_ptr<WorkerProcess> start_worker();

 private:
  void serve_requests();

  const WorkerSettings settings_;
  std::mutex mutex_;
  std::condition_variable request_posted_;
  std::deque<std::promise<std::unique_ptr<WorkerProcess>>> requests_;
  bool stopping_ = false;
  std::thread thread_;  // last member: starts after the state it uses is constructed
};

}  // namespace imcosim::spice
