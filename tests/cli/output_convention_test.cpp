// One convention for every command's output: the summary on stdout, notes and progress on
// stderr, --quiet for neither, --json for one JSON object on stdout; --threads wherever a
// command computes in parallel; validate's --first/--count.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

// A 5 x 4 tile with 3 input vectors, written by the demo command.
std::filesystem::path demo_problem(const ScratchDirectory& scratch) {
  const auto path = scratch / "problem.h5";
  const auto demo =
      run_imcosim("demo --rows 5 --cols 4 --samples 3 --workers 1 --save-problem " + quoted(path));
  EXPECT_EQ(demo.exit_code, 0) << demo.output;
  return path;
}

// Runs imcosim with stderr dropped and pipes its stdout into Python's json module, which prints
// `expression` of the parsed object `d`.
CommandOutcome json_of(const std::string& arguments, const std::string& expression) {
  return run_command("(" + std::string(IMCOSIM_CLI_PATH) + " " + arguments +
                     " --json 2>/dev/null) | " + IMCOSIM_PYTHON +
                     " -c \"import json, sys; d = json.load(sys.stdin); print(" + expression +
                     ")\"");
}

TEST(OutputConvention, JsonIsOneObjectOnStdoutForEveryCrossbarCommand) {
  const ScratchDirectory scratch;
  const auto problem = quoted(demo_problem(scratch));
  const std::vector<std::pair<std::string, std::string>> runs{
      {"solve " + problem + " -o " + quoted(scratch / "solved.h5"),
       "d['result']['method'], d['result']['vectors']"},
      {"spice " + problem + " -o " + quoted(scratch / "spice.h5") + " --workers 1",
       "d['result']['first_sample'], d['result']['vectors']"},
      {"validate " + problem + " --workers 1", "d['result']['passed'], d['result']['vectors']"},
      {"netlist " + problem + " -o " + quoted(scratch / "deck.cir"),
       "d['result']['rows'], d['result']['cols']"},
      {"validate --sweep --sizes 2x3 --wires 1 --periphery 0 --spice-max-size 0",
       "d['result']['cases'], d['result']['passed']"}};
  const std::vector<std::string> expected{"direct 3", "0 3", "True 3", "5 4", "1 True"};
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const auto outcome = json_of(runs[k].first, "d['command'], d['exit_code'], " + runs[k].second);
    const std::string command = runs[k].first.substr(0, runs[k].first.find(' '));
    EXPECT_EQ(outcome.output, command + " 0 " + expected[k] + "\n") << runs[k].first;
  }
}

TEST(OutputConvention, JsonCarriesTheErrorAndTheExitCode) {
  const ScratchDirectory scratch;
  const auto missing = quoted(scratch / "missing.h5");
  const auto outcome = json_of("solve " + missing + " -o " + quoted(scratch / "r.h5"),
                               "d['exit_code'], 'missing.h5' in d['error']");
  EXPECT_EQ(outcome.output, "2 True\n");
  // The deck of `netlist -o -` would share stdout with the summary.
  const auto problem = quoted(demo_problem(scratch));
  const auto to_stdout = run_imcosim("netlist " + problem + " -o - --json");
  EXPECT_EQ(to_stdout.exit_code, 2) << to_stdout.output;
  EXPECT_NE(to_stdout.output.find("--output - writes to stdout"), std::string::npos)
      << to_stdout.output;
}

TEST(OutputConvention, QuietPrintsNothingWhenAllGoesWell) {
  const ScratchDirectory scratch;
  const auto problem = quoted(demo_problem(scratch));
  for (const std::string& arguments : std::vector<std::string>{
           "solve " + problem + " -o " + quoted(scratch / "solved.h5"),
           "spice " + problem + " -o " + quoted(scratch / "spice.h5") + " --workers 1",
           "validate " + problem + " --workers 1",
           std::string(
               "validate --sweep --sizes 2x3 --wires 1 --periphery 0 --spice-max-size 0")}) {
    const auto outcome = run_imcosim(arguments + " --quiet");
    EXPECT_EQ(outcome.exit_code, 0) << arguments << outcome.output;
    EXPECT_EQ(outcome.output, "") << arguments;
  }
  // Errors are still printed.
  const auto failed = run_imcosim("solve " + quoted(scratch / "missing.h5") + " -o " +
                                  quoted(scratch / "r.h5") + " --quiet");
  EXPECT_EQ(failed.exit_code, 2);
  EXPECT_NE(failed.output.find("missing.h5"), std::string::npos) << failed.output;
}

TEST(OutputConvention, SummariesGoToStdoutAndProgressToStderr) {
  const ScratchDirectory scratch;
  const auto problem = quoted(demo_problem(scratch));
  const auto stdout_only =
      run_command("(" + std::string(IMCOSIM_CLI_PATH) + " spice " + problem + " -o " +
                  quoted(scratch / "spice.h5") + " --workers 1 2>/dev/null)");
  EXPECT_NE(stdout_only.output.find("wrote"), std::string::npos) << stdout_only.output;
  EXPECT_EQ(stdout_only.output.find("ngspice: 3/3"), std::string::npos) << stdout_only.output;
  const auto stderr_only =
      run_command("(" + std::string(IMCOSIM_CLI_PATH) + " spice " + problem + " -o " +
                  quoted(scratch / "spice2.h5") + " --workers 1 >/dev/null)");
  EXPECT_NE(stderr_only.output.find("ngspice: 3/3 samples"), std::string::npos)
      << stderr_only.output;
  EXPECT_EQ(stderr_only.output.find("wrote"), std::string::npos) << stderr_only.output;
}

// Every command that computes in parallel takes --threads (no OMP_NUM_THREADS needed), and
// every command takes --quiet and --json.
TEST(OutputConvention, CommonOptionsAreOfferedEverywhere) {
  for (const char* command : {"solve", "validate", "demo", "tpu", "train", "nn evaluate", "cosim",
                              "montecarlo", "dataset"}) {
    const auto help = run_imcosim(std::string(command) + " --help");
    EXPECT_NE(help.output.find("--threads"), std::string::npos) << command;
  }
  for (const char* command :
       {"demo", "netlist", "spice", "solve", "validate", "imac fast", "imac spice", "imac netlist",
        "imac validate", "tpu", "train", "nn evaluate", "nn topology", "cosim", "montecarlo",
        "dataset", "merge", "plot"}) {
    const auto help = run_imcosim(std::string(command) + " --help");
    EXPECT_NE(help.output.find("--json"), std::string::npos) << command;
    EXPECT_NE(help.output.find("--quiet"), std::string::npos) << command;
  }
  const ScratchDirectory scratch;
  const auto problem = quoted(demo_problem(scratch));
  const auto zero =
      run_imcosim("solve " + problem + " -o " + quoted(scratch / "r.h5") + " --threads 0");
  EXPECT_EQ(zero.exit_code, 2) << zero.output;
  EXPECT_NE(zero.output.find("--threads must be at least 1"), std::string::npos) << zero.output;
}

TEST(OutputConvention, ValidateChecksTheVectorsThatFirstAndCountSelect) {
  const ScratchDirectory scratch;
  const auto problem = quoted(demo_problem(scratch));
  const auto selected = json_of("validate " + problem + " --first 1 --count 2 --workers 1",
                                "d['result']['first_sample'], d['result']['vectors'], "
                                "d['result']['worst_vector'] in (1, 2), d['result']['passed']");
  EXPECT_EQ(selected.output, "1 2 True True\n");
  const auto beyond = run_imcosim("validate " + problem + " --first 2 --count 2");
  EXPECT_EQ(beyond.exit_code, 2) << beyond.output;
  EXPECT_NE(beyond.output.find("problem.h5"), std::string::npos) << beyond.output;
  const auto sweep = run_imcosim("validate --sweep --first 1");
  EXPECT_EQ(sweep.exit_code, 2) << sweep.output;
}

}  // namespace
}  // namespace imcosim::testing
