#include "process_spawner.hpp"

#include <exception>
#include <utility>

namespace imcosim::spice {

ProcessSpawner::ProcessSpawner(WorkerSettings settings)
    : settings_(settings), thread_([this] { serve_requests(); }) {}

ProcessSpawner::~ProcessSpawner() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  request_posted_.notify_one();
  thread_.join();
}

std::unique_ptr<WorkerProcess> ProcessSpawner::start_worker() {
  std::future<std::unique_ptr<WorkerProcess>> worker;
  {
    const std::lock_guard lock(mutex_);
    requests_.emplace_back();
    worker = requests_.back().get_future();
  }
  request_posted_.notify_one();
  return worker.get();
}

void ProcessSpawner::serve_requests() {
  std::unique_lock lock(mutex_);
  while (true) {
    request_posted_.wait(lock, [this] { return stopping_ || !requests_.empty(); });
    if (stopping_) {
      return;
    }
    std::promise<std::unique_ptr<WorkerProcess>> request = std::move(requests_.front());
    requests_.pop_front();
    // Fork without the mutex so that threads posting requests are not held up meanwhile.
    lock.unlock();
    try {
      request.set_value(WorkerProcess::start(settings_));
    } catch (...) {
      request.set_exception(std::current_exception());
    }
    lock.lock();
  }
}

}  // namespace imcosim::spice
