#include "support/cli.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace imcosim::testing {
namespace {

TEST(Cli, VersionAndProgramHelpSucceed) {
  const auto version = run_imcosim("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("imcosim ", 0), 0U) << version.output;
  // The loaded ngspice library, whether it has KLU, and the solver the decks then use.
  EXPECT_NE(version.output.find("\nngspice "), std::string::npos) << version.output;
  EXPECT_NE(version.output.find("KLU"), std::string::npos) << version.output;
  EXPECT_NE(version.output.find("matrix solver: "), std::string::npos) << version.output;
  const auto help = run_imcosim("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"demo", "netlist", "spice", "solve", "validate", "tpu"}) {
    EXPECT_NE(help.output.find(command), std::string::npos) << command;
  }
}

// Every command `imcosim --help` lists has --help, starting with the same "Usage:" line; the
// commands with subcommands, given none, name them and where to read more.
TEST(Cli, EveryCommandHasHelp) {
  const auto program_help = run_imcosim("--help");
  std::istringstream lines(program_help.output.substr(program_help.output.find("Commands:")));
  std::string line;
  std::getline(lines, line);
  std::vector<std::string> commands;
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    std::istringstream words(line);
    commands.emplace_back();
    words >> commands.back();
  }
  EXPECT_GE(commands.size(), 13U) << program_help.output;
  for (const auto& command : commands) {
    const auto help = run_imcosim(command + " --help");
    EXPECT_EQ(help.exit_code, 0) << command << help.output;
    EXPECT_EQ(help.output.rfind("Usage: imcosim " + command, 0), 0U) << help.output;
  }
  for (const char* command : {"imac", "nn"}) {
    const auto bare = run_imcosim(command);
    EXPECT_EQ(bare.exit_code, 2) << bare.output;
    EXPECT_NE(bare.output.find("imcosim " + std::string(command) + " --help"), std::string::npos)
        << bare.output;
    EXPECT_EQ(bare.output.find("usage:"), std::string::npos) << bare.output;
  }
}

TEST(Cli, BadUsageExitsWithTwoAndSaysWhy) {
  const auto none = run_imcosim("");
  EXPECT_EQ(none.exit_code, 2);
  const auto unknown = run_imcosim("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown command 'frobnicate'"), std::string::npos);
  const auto option = run_imcosim("solve --no-such-option x.h5 -o y.h5");
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_NE(option.output.find("no-such-option"), std::string::npos) << option.output;
  const auto missing = run_imcosim("solve x.h5");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("output"), std::string::npos) << missing.output;
  const auto value = run_imcosim("demo --rows lots");
  EXPECT_EQ(value.exit_code, 2);
  EXPECT_NE(value.output.find("rows"), std::string::npos) << value.output;
}

// An option of one mode given in the other is refused, not ignored: validate PROBLEM.h5 writes
// no report, and --list belongs to a problem file.
TEST(Cli, ValidateRefusesTheOptionsOfItsOtherMode) {
  const auto output = run_imcosim("validate problem.h5 -o report.h5");
  EXPECT_EQ(output.exit_code, 2) << output.output;
  EXPECT_NE(output.output.find("--output applies only with --sweep"), std::string::npos)
      << output.output;
  const auto sizes = run_imcosim("validate problem.h5 --sizes 4x4");
  EXPECT_EQ(sizes.exit_code, 2) << sizes.output;
  EXPECT_NE(sizes.output.find("--sizes applies only with --sweep"), std::string::npos)
      << sizes.output;
  const auto list = run_imcosim("validate --sweep --list 3");
  EXPECT_EQ(list.exit_code, 2) << list.output;
  EXPECT_NE(list.output.find("--list applies to a problem file"), std::string::npos) << list.output;
  EXPECT_FALSE(std::filesystem::exists("report.h5"));
  const auto negative = run_imcosim("validate problem.h5 --list -3");
  EXPECT_EQ(negative.exit_code, 2) << negative.output;
  EXPECT_NE(negative.output.find("--list -3 is negative"), std::string::npos) << negative.output;
}

// A directory where a file is expected is named as such, not read as an empty configuration.
TEST(Cli, ADirectoryGivenAsAnInputFileIsRefused) {
  const auto directory = std::filesystem::temp_directory_path();
  for (const std::string& command :
       {"dataset " + directory.string() + " -o x.h5", "solve " + directory.string() + " -o x.h5",
        "imac fast x.h5 --inputs x.h5 --config " + directory.string(),
        "cosim " + directory.string() + " -o out",
        "tpu -c " + directory.string() + " -t x.csv -o out"}) {
    const auto run = run_imcosim(command);
    EXPECT_EQ(run.exit_code, 2) << command << ": " << run.output;
    EXPECT_NE(run.output.find("is a directory; expected a file"), std::string::npos)
        << command << ": " << run.output;
  }
}

TEST(Cli, DemoRunsNgspiceAndTheSolverAndAgrees) {
  const auto demo = run_imcosim("demo --rows 12 --cols 9 --samples 5 --seed 7 --r-source 20");
  EXPECT_EQ(demo.exit_code, 0) << demo.output;
  EXPECT_NE(demo.output.find("12x9 crossbar tile, 5 input vectors, seed 7"), std::string::npos)
      << demo.output;
  EXPECT_NE(demo.output.find("PASS"), std::string::npos) << demo.output;
  EXPECT_NE(demo.output.find("is the error of ignoring the parasitics"), std::string::npos)
      << demo.output;
}

}  // namespace
}  // namespace imcosim::testing
