#pragma once

// Which vector instructions the processor running the program has. The integer kernels pick an
// AVX2 body at run time when it does: integer arithmetic is exact, so every body gives the same
// bits and results do not depend on the machine, only the speed does.
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define IMCOSIM_X86_DISPATCH 1
#define IMCOSIM_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define IMCOSIM_X86_DISPATCH 0
#define IMCOSIM_TARGET_AVX2
#endif

#include <atomic>

namespace imcosim::tpu::detail {

// Cleared by use_vector_kernels(false) (imcosim/tpu/functional.hpp).
inline std::atomic<bool>& vector_kernels_enabled() noexcept {
  static std::atomic<bool> enabled{true};
  return enabled;
}

inline bool has_avx2() noexcept {
#if IMCOSIM_X86_DISPATCH
  static const bool available = __builtin_cpu_supports("avx2") != 0;
  return available && vector_kernels_enabled().load(std::memory_order_relaxed);
#else
  return false;
#endif
}

}  // namespace imcosim::tpu::detail
