#include "commands.hpp"

#include <array>

namespace imcosim::cli {

int run_tpu(const std::vector<std::string>& args);

std::span<const Command> commands() {
  static constexpr std::array table{
      Command{"tpu", "systolic-array TPU model: SCALE-Sim-compatible cycles and reports", run_tpu},
  };
  return table;
}

}  // namespace imcosim::cli
