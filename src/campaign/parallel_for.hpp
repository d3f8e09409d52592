#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace imcosim::campaign {

// Runs `work(position)` for position = 0 .. count-1 on `threads` threads; rethrows the first
// failure after every thread has stopped.
template <typename Work>
void parallel_for(std::int64_t count, int threads, const Work& work) {
  std::atomic<std::int64_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto worker = [&] {
    for (std::int64_t position = next++; position < count; position = next++) {
      try {
        work(position);
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (!failure) {
          failure = std::current_exception();
        }
        next = count;
      }
    }
  };
  const auto thread_count = std::clamp<std::int64_t>(threads, 1, std::max<std::int64_t>(count, 1));
  std::vector<std::jthread> pool;
  for (std::int64_t t = 1; t < thread_count; ++t) {
    pool.emplace_back(worker);
  }
  worker();
  pool.clear();
  if (failure) {
    std::rethrow_exception(failure);
  }
}

}  // namespace imcosim::campaign
