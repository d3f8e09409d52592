#pragma once

#include <string>

#include "imcosim/error.hpp"

namespace imcosim::tpu {

// Failures of the TPU model: malformed SCALE-Sim config or topology files and inconsistent
// tensors are bad input; unwritable reports are runtime failures.
class TpuError : public Error {
 public:
  explicit TpuError(const std::string& message, ErrorKind kind = ErrorKind::bad_input)
      : Error(kind, message) {}
};

}  // namespace imcosim::tpu
