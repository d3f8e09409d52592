#pragma once

#include "imcosim/error.hpp"

namespace imcosim::nn {

// Failures of the nn stage: malformed model, architecture or dataset files and shapes that do
// not chain are bad input; a training run that diverges or cannot write is a runtime failure.
class NnError : public Error {
 public:
  explicit NnError(const std::string& message, ErrorKind kind = ErrorKind::bad_input)
      : Error(kind, message) {}
};

}  // namespace imcosim::nn
