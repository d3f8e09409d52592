#pragma once

#include <string>
#include <vector>

#include "imcosim/error.hpp"

namespace imcosim::spice {

// ngspice failed: error text on its stderr, a missing/empty result vector, a controlled exit,
// a crash or a time-out. what() includes ngspice's own messages.
class SpiceError : public Error {
 public:
  SpiceError(ErrorKind kind, const std::string& message,
             std::vector<std::string> ngspice_messages = {});

  // The lines ngspice printed on its stderr during the failed job, as received ("stderr ...").
  [[nodiscard]] const std::vector<std::string>& ngspice_messages() const noexcept {
    return ngspice_messages_;
  }

 private:
  std::vector<std::string> ngspice_messages_;
};

}  // namespace imcosim::spice
