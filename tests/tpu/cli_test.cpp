// `imcosim tpu` end to end: the built executable on real files.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tpu_test_support.hpp"

namespace imcosim::tpu {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

std::string read_file(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

CliRun run_cli(const testing::TempDirectory& scratch, const std::string& arguments) {
  const auto out = scratch.path() / "cli.stdout";
  const auto err = scratch.path() / "cli.stderr";
  const std::string command = std::string("'") + IMCOSIM_CLI_PATH + "' tpu " + arguments + " >" +
                              quoted(out) + " 2>" + quoted(err);
  const int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.stdout_text = read_file(out);
  run.stderr_text = read_file(err);
  return run;
}

fs::path example(const std::string& name) { return testing::source_dir() / "examples/tpu" / name; }

std::string expected_lenet_report(const std::string& dataflow) {
  std::ifstream reference(testing::source_dir() / "tests/tpu/data/scalesim_lenet_32x32.csv");
  std::string expected =
      "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
      "Compute Util %,\n";
  std::string line;
  while (std::getline(reference, line)) {
    if (line.rfind(dataflow + ",", 0) == 0) {
      std::string row = line.substr(3);
      std::string spaced;
      for (const char c : row) {
        spaced += c;
        if (c == ',') {
          spaced += ' ';
        }
      }
      expected += spaced + ",\n";
    }
  }
  return expected;
}

TEST(TpuCli, WritesScaleSimComputeReportAndOwnReport) {
  const testing::TempDirectory scratch("cli_ok");
  const auto outdir = scratch.path() / "out" / "nested";
  const auto run = run_cli(scratch, "-c " + quoted(example("scalesim_32x32_os.cfg")) + " -t " +
                                        quoted(example("lenet_topology.csv")) + " -o " +
                                        quoted(outdir) + " --clock-mhz 250");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(read_file(outdir / "COMPUTE_REPORT.csv"), expected_lenet_report("os"));
  const auto own = read_file(outdir / "TPU_REPORT.csv");
  EXPECT_NE(own.find("0,Conv1,784,6,25,25,1,87,2174,8.696,117600,"), std::string::npos) << own;
  EXPECT_NE(own.find("clock 250.0 MHz"), std::string::npos) << own;
  EXPECT_FALSE(fs::exists(outdir / "COMPUTE_REPORT.csv.partial"));
}

TEST(TpuCli, EveryDataflowExampleReproducesScaleSim) {
  for (const std::string dataflow : {"ws", "is"}) {
    const testing::TempDirectory scratch("cli_" + dataflow);
    const auto run = run_cli(
        scratch, "-c " + quoted(example("scalesim_32x32_" + dataflow + ".cfg")) + " -t " +
                     quoted(example("lenet_topology.csv")) + " -o " + quoted(scratch.path()));
    ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
    EXPECT_EQ(read_file(scratch.path() / "COMPUTE_REPORT.csv"), expected_lenet_report(dataflow));
  }
}

TEST(TpuCli, ReadsGemmTopologies) {
  const testing::TempDirectory scratch("cli_gemm");
  const auto run =
      run_cli(scratch, "-c " + quoted(example("scalesim_32x32_os.cfg")) + " -t " +
                           quoted(example("gemm_topology.csv")) + " -o " + quoted(scratch.path()));
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto report = read_file(scratch.path() / "COMPUTE_REPORT.csv");
  // fc1 as GEMM M=1, N=120, K=400 is LeNet's FC1: 1847 cycles in OS on 32 x 32.
  EXPECT_NE(report.find("\n0, 1847, 0, "), std::string::npos) << report;
  // 64 x 64 x 64: 4 folds of 64 + 62 cycles.
  EXPECT_NE(report.find("\n2, 503, 0, "), std::string::npos) << report;
}

TEST(TpuCli, BadConfigExitsTwoNamingTheLineAndKeepsOldReport) {
  const testing::TempDirectory scratch("cli_bad");
  const auto good =
      run_cli(scratch, "-c " + quoted(example("scalesim_32x32_os.cfg")) + " -t " +
                           quoted(example("lenet_topology.csv")) + " -o " + quoted(scratch.path()));
  ASSERT_EQ(good.exit_code, 0) << good.stderr_text;
  const auto before = read_file(scratch.path() / "COMPUTE_REPORT.csv");

  auto config = read_file(example("scalesim_32x32_os.cfg"));
  config.replace(config.find("Dataflow : os"), 13, "Dataflow : xs");
  const auto bad_config = scratch.write("bad.cfg", config);
  const auto run =
      run_cli(scratch, "-c " + quoted(bad_config) + " -t " + quoted(example("lenet_topology.csv")) +
                           " -o " + quoted(scratch.path()));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find("bad.cfg:14: Dataflow"), std::string::npos) << run.stderr_text;
  EXPECT_EQ(read_file(scratch.path() / "COMPUTE_REPORT.csv"), before);

  const auto bad_topology = scratch.write("bad.csv", "Layer, a, b\nConv1, 32, 32, 5,\n");
  const auto topo_run =
      run_cli(scratch, "-c " + quoted(example("scalesim_32x32_os.cfg")) + " -t " +
                           quoted(bad_topology) + " -o " + quoted(scratch.path() / "fresh"));
  EXPECT_EQ(topo_run.exit_code, 2);
  EXPECT_NE(topo_run.stderr_text.find("bad.csv:2:"), std::string::npos) << topo_run.stderr_text;
  EXPECT_FALSE(fs::exists(scratch.path() / "fresh" / "COMPUTE_REPORT.csv"));
}

TEST(TpuCli, AnOutputDirectoryThatCannotBeMadeIsRefusedBeforeAnythingRuns) {
  const testing::TempDirectory scratch("cli_unwritable");
  const auto blocker = scratch.write("not_a_directory", "x");
  // The claim on the output directory (a lock beside it, as for output files) fails first.
  const auto run = run_cli(scratch, "-c " + quoted(example("scalesim_32x32_os.cfg")) + " -t " +
                                        quoted(example("lenet_topology.csv")) + " -o " +
                                        quoted(blocker / "out"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find("not_a_directory"), std::string::npos) << run.stderr_text;
}

TEST(TpuCli, UsageErrorsAndHelp) {
  const testing::TempDirectory scratch("cli_usage");
  EXPECT_EQ(run_cli(scratch, "-t x.csv -o out").exit_code, 2);
  EXPECT_EQ(run_cli(scratch, "-c " + quoted(example("scalesim_32x32_os.cfg")) + " -t " +
                                 quoted(example("lenet_topology.csv")) + " -o " +
                                 quoted(scratch.path()) + " --clock-mhz -1")
                .exit_code,
            2);
  const auto missing =
      run_cli(scratch, "-c /nonexistent.cfg -t x.csv -o " + quoted(scratch.path()));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.stderr_text.find("/nonexistent.cfg"), std::string::npos);
  const auto help = run_cli(scratch, "--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.stdout_text.find("COMPUTE_REPORT.csv"), std::string::npos);
  EXPECT_NE(help.stdout_text.find("--gemm"), std::string::npos);
}

}  // namespace
}  // namespace imcosim::tpu
