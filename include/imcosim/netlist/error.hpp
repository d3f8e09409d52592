#pragma once

#include "imcosim/error.hpp"

namespace imcosim::netlist {

// A deck that cannot be read or split.
class NetlistError : public Error {
 public:
  NetlistError(ErrorKind kind, const std::string& message) : Error(kind, message) {}
};

}  // namespace imcosim::netlist
