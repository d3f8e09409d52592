// imcosim plot as a user runs it: the command finds the Python package beside the executable,
// hands it the arguments and passes its exit code through (tests/python/test_plot.py checks what
// each kind draws).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

TEST(PlotCommand, IrDropWritesAPictureAndABadFileExitsTwo) {
  const ScratchDirectory scratch;
  const auto problem = scratch / "problem.h5";
  const auto demo = run_imcosim("demo --rows 12 --cols 8 --samples 3 --workers 1 --save-problem " +
                                quoted(problem));
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  const auto solve = run_imcosim("solve " + quoted(problem) + " -o " + quoted(scratch / "maps.h5") +
                                 " --node-voltages 0,worst");
  ASSERT_EQ(solve.exit_code, 0) << solve.output;

  // A PYTHONPATH of the user's own stays, behind the package's directory.
  const auto picture = scratch / "maps.png";
  const auto drawn =
      run_command("PYTHONPATH=/nonexistent " + std::string(IMCOSIM_CLI_PATH) + " plot ir-drop " +
                  quoted(scratch / "maps.h5") + " -o " + quoted(picture));
  ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
  EXPECT_NE(drawn.output.find("wrote " + picture.string()), std::string::npos) << drawn.output;
  std::ifstream png(picture, std::ios::binary);
  std::string signature(8, '\0');
  png.read(signature.data(), 8);
  EXPECT_EQ(signature, "\x89PNG\r\n\x1a\n");
  // Two maps of row and column wires with their colour bars: far more than an empty canvas.
  EXPECT_GT(std::filesystem::file_size(picture), 40'000U);

  const auto bad =
      run_imcosim("plot ir-drop " + quoted(problem) + " -o " + quoted(scratch / "bad.png"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find(problem.string() + ": entry 'node_voltages'"), std::string::npos)
      << bad.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "bad.png"));
  const auto unknown = run_imcosim("plot histogram " + quoted(problem) + " -o x.png");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("imcosim plot: error: argument KIND"), std::string::npos)
      << unknown.output;
}

}  // namespace
}  // namespace imcosim::testing
