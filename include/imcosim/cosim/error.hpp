#pragma once

#include <string>

#include "imcosim/error.hpp"

namespace imcosim::cosim {

// A co-simulation that cannot run: a bad configuration, models that do not fit the dataset or
// each other (bad_input), or a failure while running (runtime).
class CosimError : public Error {
 public:
  CosimError(ErrorKind kind, const std::string& message) : Error(kind, message) {}
};

}  // namespace imcosim::cosim
