#pragma once

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <exception>

namespace imcosim::solver {

// Runs body(block, workspace) for blocks [0, blocks) on the OpenMP threads; the first
// exception thrown by any block is rethrown here, after every thread has finished.
template <typename Workspace, typename Body>
void for_each_block(Eigen::Index blocks, const Body& body) {
  const int threads = static_cast<int>(
      std::max<Eigen::Index>(1, std::min<Eigen::Index>(blocks, omp_get_max_threads())));
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
#pragma omp parallel num_threads(threads)
  {
    Workspace workspace;
#pragma omp for schedule(dynamic)
    for (Eigen::Index block = 0; block < blocks; ++block) {
      if (failed) {
        continue;
      }
      try {
        body(block, workspace);
      } catch (...) {
#pragma omp critical(imcosim_block_failure)
        if (!failed.exchange(true)) {
          failure = std::current_exception();
        }
      }
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
}

}  // namespace imcosim::solver
