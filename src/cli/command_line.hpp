#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

namespace imcosim::cli {

namespace po = boost::program_options;

// What one subcommand declares about its command line.
struct CommandSyntax {
  CommandSyntax(std::string name_, std::string usage_, std::string summary_)
      : name(std::move(name_)), usage(std::move(usage_)), summary(std::move(summary_)) {}

  std::string name;     // e.g. "solve"
  std::string usage;    // e.g. "PROBLEM.h5 -o RESULT.h5 [options]"
  std::string summary;  // one paragraph shown under the usage line
  po::options_description options{"Options"};
  po::positional_options_description positional;
};

// Parses `args` (the words after the subcommand name) against `syntax`.
// Returns nullopt when --help was asked for (the help has then been printed to stdout).
// Throws imcosim::UsageError, naming the option, for anything malformed.
std::optional<po::variables_map> parse_command_line(CommandSyntax& syntax,
                                                    const std::vector<std::string>& args);

}  // namespace imcosim::cli
