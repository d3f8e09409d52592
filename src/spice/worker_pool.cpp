#include "imcosim/spice/worker_pool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "imcosim/memory_budget.hpp"
#include "ngspice_build.hpp"
#include "posix.hpp"
#include "process_spawner.hpp"
#include "worker_process.hpp"

namespace imcosim::spice {
namespace {

void validate(const WorkerPoolOptions& options) {
  if (options.worker_count < 1) {
    throw SpiceError(ErrorKind::bad_input, "WorkerPoolOptions.worker_count must be >= 1, got " +
                                               std::to_string(options.worker_count));
  }
  if (options.job_timeout.count() <= 0) {
    throw SpiceError(ErrorKind::bad_input, "WorkerPoolOptions.job_timeout must be > 0 ms, got " +
                                               std::to_string(options.job_timeout.count()));
  }
  if (options.jobs_per_worker < 1) {
    throw SpiceError(ErrorKind::bad_input, "WorkerPoolOptions.jobs_per_worker must be >= 1, got " +
                                               std::to_string(options.jobs_per_worker));
  }
}

}  // namespace

std::uint64_t worker_memory_limit_bytes(const WorkerPoolOptions& options) {
  validate(options);
  return options.worker_memory_bytes != 0
             ? options.worker_memory_bytes
             : physical_memory_bytes() / static_cast<std::uint64_t>(options.worker_count);
}

struct WorkerPool::Impl {
  explicit Impl(WorkerPoolOptions pool_options)
      : options(pool_options),
        spawner(
            WorkerSettings{pool_options.linear_solver, worker_memory_limit_bytes(pool_options)}) {}

  // Hands out an idle worker, or a fresh one while fewer than worker_count exist; blocks
  // otherwise.
  std::unique_ptr<WorkerProcess> acquire() {
    std::unique_lock lock(mutex);
    worker_released.wait(lock, [this] {
      return !idle_workers.empty() ||
             busy_count + idle_workers.size() < static_cast<std::size_t>(options.worker_count);
    });
    ++busy_count;
    if (!idle_workers.empty()) {
      std::unique_ptr<WorkerProcess> worker = std::move(idle_workers.back());
      idle_workers.pop_back();
      return worker;
    }
    lock.unlock();
    std::unique_ptr<WorkerProcess> worker;
    try {
      worker = spawner.start_worker();
    } catch (...) {
      lock.lock();
      --busy_count;
      lock.unlock();
      worker_released.notify_one();
      throw;
    }
    lock.lock();
    live_pids.push_back(worker->pid());
    return worker;
  }

  // A fork copies only the forking thread: a lock that another thread holds at that instant
  // stays locked forever in the child. glibc's malloc guards its locks around fork, but
  // AddressSanitizer's allocator (GCC 12) does not, and a worker forked while a job thread
  // allocated hung. So run_all starts its workers before its job threads exist, while the only
  // other thread is the caller, blocked here; only replacements of dead or worn-out workers fork
  // while jobs run.
  void start_workers(std::size_t count) {
    std::unique_lock lock(mutex);
    while (busy_count + idle_workers.size() < count) {
      lock.unlock();
      std::unique_ptr<WorkerProcess> worker = spawner.start_worker();
      lock.lock();
      live_pids.push_back(worker->pid());
      idle_workers.push_back(std::move(worker));
    }
  }

  // Keeps a healthy worker for the next job; a dead or worn-out one is killed and reaped.
  void release(std::unique_ptr<WorkerProcess> worker) {
    std::unique_ptr<WorkerProcess> retired;
    {
      const std::lock_guard lock(mutex);
      --busy_count;
      if (worker->alive() && worker->jobs_run() < options.jobs_per_worker) {
        idle_workers.push_back(std::move(worker));
      } else {
        std::erase(live_pids, worker->pid());
        retired = std::move(worker);
      }
    }
    worker_released.notify_one();
  }

  const WorkerPoolOptions options;
  // Declared before the workers so that it is destroyed after them.
  ProcessSpawner spawner;
  mutable std::mutex mutex;
  std::condition_variable worker_released;
  std::vector<std::unique_ptr<WorkerProcess>> idle_workers;
  std::size_t busy_count = 0;
  std::vector<pid_t> live_pids;
};

WorkerPool::WorkerPool(WorkerPoolOptions options) {
  validate(options);
  impl_ = std::make_unique<Impl>(options);
}

WorkerPool::~WorkerPool() = default;

const WorkerPoolOptions& WorkerPool::options() const noexcept { return impl_->options; }

SpiceResult WorkerPool::run(const SpiceJob& job) {
  std::unique_ptr<WorkerProcess> worker = impl_->acquire();
  // Returns the worker to the pool however the job ends.
  struct Lease {
    Impl& pool;
    std::unique_ptr<WorkerProcess>& worker;
    ~Lease() { pool.release(std::move(worker)); }
  } lease{*impl_, worker};
  return worker->run(job, impl_->options.job_timeout);
}

std::vector<std::variant<SpiceResult, SpiceError>> WorkerPool::run_all(
    std::span<const SpiceJob> jobs) {
  std::vector<std::variant<SpiceResult, SpiceError>> outcomes(jobs.size());
  std::atomic<std::size_t> next_job{0};
  std::mutex failure_mutex;
  std::exception_ptr unexpected_failure;

  const auto drain_jobs = [&] {
    for (std::size_t k = next_job++; k < jobs.size(); k = next_job++) {
      try {
        outcomes[k] = run(jobs[k]);
      } catch (const SpiceError& error) {
        outcomes[k] = error;
      } catch (...) {
        // Not a job's failure (e.g. out of memory): stop handing out jobs and rethrow below.
        const std::lock_guard lock(failure_mutex);
        unexpected_failure = std::current_exception();
        next_job = jobs.size();
      }
    }
  };
  const std::size_t thread_count =
      std::min(jobs.size(), static_cast<std::size_t>(impl_->options.worker_count));
  impl_->start_workers(thread_count);
  {
    std::vector<std::jthread> threads;
    threads.reserve(thread_count);
    for (std::size_t t = 0; t < thread_count; ++t) {
      threads.emplace_back(drain_jobs);
    }
  }
  if (unexpected_failure) {
    std::rethrow_exception(unexpected_failure);
  }
  return outcomes;
}

std::vector<std::size_t> WorkerPool::worker_resident_bytes() const {
  std::vector<pid_t> pids;
  {
    const std::lock_guard lock(impl_->mutex);
    pids = impl_->live_pids;
  }
  std::vector<std::size_t> resident;
  for (const pid_t pid : pids) {
    // A worker retired since the copy was taken has no /proc entry any more.
    if (const std::optional<std::size_t> bytes = posix::resident_bytes(pid)) {
      resident.push_back(*bytes);
    }
  }
  return resident;
}

NgspiceInfo ngspice_info(WorkerPool& pool) {
  // The banner is the library's, the same for every pool of the process.
  static std::mutex cache_mutex;
  static std::optional<NgspiceBuild> cached_build;
  std::optional<NgspiceBuild> build;
  {
    const std::lock_guard lock(cache_mutex);
    if (!cached_build) {
      SpiceJob job;
      job.commands = {"version"};
      cached_build = parse_ngspice_build(pool.run(job).messages);
    }
    build = cached_build;
  }
  return {build->version, build->klu_compiled_in,
          resolve_linear_solver(pool.options().linear_solver, *build)};
}

std::string ngspice_version(WorkerPool& pool) { return ngspice_info(pool).version; }

}  // namespace imcosim::spice
