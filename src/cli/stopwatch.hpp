#pragma once

#include <chrono>

namespace imcosim::cli {

// Wall-clock seconds since construction; the CLI reports every phase's time.
class Stopwatch {
 public:
  [[nodiscard]] double elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace imcosim::cli
