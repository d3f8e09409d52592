#include "ngspice_build.hpp"

#include <array>
#include <string_view>

#include "imcosim/spice/error.hpp"

namespace imcosim::spice {

namespace {

constexpr std::array<std::pair<LinearSolver, std::string_view>, 3> kSolverNames = {{
    {LinearSolver::automatic, "auto"},
    {LinearSolver::klu, "klu"},
    {LinearSolver::sparse, "sparse"},
}};

}  // namespace

std::string_view linear_solver_name(LinearSolver solver) noexcept {
  for (const auto& [value, name] : kSolverNames) {
    if (value == solver) {
      return name;
    }
  }
  return "unknown";
}

LinearSolver parse_linear_solver(std::string_view name) {
  for (const auto& [value, text] : kSolverNames) {
    if (text == name) {
      return value;
    }
  }
  throw SpiceError(ErrorKind::bad_input, "unknown ngspice linear solver '" + std::string(name) +
                                             "'; expected auto, klu or sparse");
}

NgspiceBuild parse_ngspice_build(const std::vector<std::string>& version_lines) {
  constexpr std::string_view kMarker = "ngspice-";
  NgspiceBuild build;
  for (const std::string& line : version_lines) {
    if (line.find("Compiled with KLU") != std::string::npos) {
      build.klu_compiled_in = true;
    }
    const std::size_t start = line.find(kMarker);
    if (!build.version.empty() || start == std::string::npos) {
      continue;
    }
    const std::size_t first = start + kMarker.size();
    const std::size_t last = line.find_first_not_of("0123456789.", first);
    if (last != first) {
      build.version = line.substr(first, last == std::string::npos ? last : last - first);
    }
  }
  if (build.version.empty()) {
    throw SpiceError(ErrorKind::runtime, "ngspice printed no version for 'version'", version_lines);
  }
  return build;
}

LinearSolver resolve_linear_solver(LinearSolver requested, const NgspiceBuild& build) {
  switch (requested) {
    case LinearSolver::automatic:
      return build.klu_compiled_in ? LinearSolver::klu : LinearSolver::sparse;
    case LinearSolver::klu:
      if (!build.klu_compiled_in) {
        throw SpiceError(ErrorKind::bad_input, "the KLU linear solver was requested, but ngspice " +
                                                   build.version + " was built without it");
      }
      return LinearSolver::klu;
    case LinearSolver::sparse:
      return LinearSolver::sparse;
  }
  return LinearSolver::sparse;
}

}  // namespace imcosim::spice
