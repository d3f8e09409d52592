#pragma once

// Runs the built imcosim executable in end-to-end tests.
#include <string>

#include "support/run_command.hpp"

namespace imcosim::testing {

inline CommandOutcome run_imcosim(const std::string& arguments) {
  return run_command(std::string(IMCOSIM_CLI_PATH) + " " + arguments);
}

inline CommandOutcome run_python(const std::string& arguments) {
  return run_command(std::string(IMCOSIM_PYTHON) + " " + arguments);
}

}  // namespace imcosim::testing
