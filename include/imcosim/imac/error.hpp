#pragma once

#include "imcosim/error.hpp"

namespace imcosim::imac {

// An IMAC layer or neuron that cannot be built, characterised or evaluated as asked: invalid
// parameters, a query outside a characterised range, a characterisation that does not fit.
class ImacError : public Error {
 public:
  ImacError(ErrorKind kind, const std::string& message) : Error(kind, message) {}
};

}  // namespace imcosim::imac
