#pragma once

#include <span>
#include <string>
#include <vector>

namespace imcosim::cli {

// A subcommand receives the words after its name and returns the process exit code.
// It reports failures by throwing imcosim::Error; main() maps them to exit codes.
using CommandFunction = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* summary;
  CommandFunction run;
  // Whether the command splits its work over the processes of an MPI launcher; any other
  // command would run whole in each of them, writing the same outputs, and is refused there.
  bool splits_over_mpi_ranks = false;
};

// The table of subcommands, in the order `imcosim --help` lists them.
std::span<const Command> commands();

}  // namespace imcosim::cli
