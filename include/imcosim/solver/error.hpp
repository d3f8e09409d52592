#pragma once

#include "imcosim/error.hpp"

namespace imcosim::solver {

// A solver could not produce a solution within its stated tolerance (factorisation failed,
// no convergence). Bad circuits are rejected earlier, by the circuit stage.
class SolverError : public Error {
 public:
  explicit SolverError(const std::string& message) : Error(ErrorKind::runtime, message) {}
};

}  // namespace imcosim::solver
