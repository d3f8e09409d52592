#pragma once

#include "imcosim/error.hpp"

namespace imcosim::circuit {

// A circuit description that violates its physical constraints (shapes, signs, finiteness).
class CircuitError : public Error {
 public:
  explicit CircuitError(const std::string& message) : Error(ErrorKind::bad_input, message) {}
};

}  // namespace imcosim::circuit
