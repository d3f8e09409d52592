#pragma once

// Sanitizer builds run unoptimised (Debug) and many times slower; tests that loop over many
// images or samples use fewer there. The full counts run in the optimised suite, which carries
// the stated acceptance figures.
namespace imcosim::testing {

inline constexpr bool sanitized_build = IMCOSIM_SANITIZED != 0;

template <typename Count>
constexpr Count workload(Count optimised, Count sanitized) {
  return sanitized_build ? sanitized : optimised;
}

}  // namespace imcosim::testing
