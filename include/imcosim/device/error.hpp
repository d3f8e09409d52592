#pragma once

#include <string>

#include "imcosim/error.hpp"

namespace imcosim::device {

// A device model whose parameters are out of range or inconsistent (rates summing above 1, an
// empty conductance range, an unknown distribution). Always the user's input.
class DeviceError : public Error {
 public:
  explicit DeviceError(const std::string& message) : Error(ErrorKind::bad_input, message) {}
};

}  // namespace imcosim::device
