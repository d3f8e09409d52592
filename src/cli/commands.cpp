#include "commands.hpp"

#include <array>

namespace imcosim::cli {

std::span<const Command> commands() {
  static constexpr std::array<Command, 0> table{};
  return table;
}

}  // namespace imcosim::cli
