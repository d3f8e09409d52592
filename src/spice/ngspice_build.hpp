#pragma once

#include <string>
#include <vector>

#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::spice {

// The shared library's build, read from what its "version" command prints:
// "** ngspice-46 : Circuit level simulation program" and, in builds with KLU,
// "** Compiled with KLU Direct Linear Solver".
struct NgspiceBuild {
  std::string version;
  bool klu_compiled_in = false;
};

// Throws SpiceError (runtime) when the lines carry no version.
NgspiceBuild parse_ngspice_build(const std::vector<std::string>& version_lines);

// The solver that `requested` means on `build`: KLU when asked for or, for automatic, when
// compiled in; Sparse otherwise. Throws SpiceError (bad_input) when KLU is asked of a library
// without it. The worker and the parent both resolve with this, so they always agree.
LinearSolver resolve_linear_solver(LinearSolver requested, const NgspiceBuild& build);

}  // namespace imcosim::spice
