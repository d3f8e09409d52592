// The foundation's acceptance, end to end: problem files written with h5py, solved by
// `imcosim solve`, `imcosim spice` and plain `ngspice -b` on `imcosim netlist` output, each
// compared with an independent dense MNA solution computed by numpy.
#include <gtest/gtest.h>

#include <filesystem>
#include <tuple>

#include "imcosim/io/crossbar_files.hpp"
#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

const std::string reference_script =
    std::string(IMCOSIM_SOURCE_DIR) + "/tests/cli/crossbar_reference.py";

double relative_difference(const std::string& arguments) {
  const auto outcome = run_python(reference_script + " " + arguments);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
  return std::stod(outcome.output);
}

struct Case {
  int rows;
  int cols;
  int samples;
  int seed;
};

class CrossbarCommands : public ::testing::TestWithParam<Case> {};

TEST_P(CrossbarCommands, SolveSpiceAndPlainNgspiceAgreeWithTheIndependentSolution) {
  const auto [m, n, k, seed] = GetParam();
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  const auto expected = (scratch / "expected.h5").string();
  const auto written =
      run_python(reference_script + " write " + problem + " " + expected + " " + std::to_string(m) +
                 " " + std::to_string(n) + " " + std::to_string(k) + " " + std::to_string(seed));
  ASSERT_EQ(written.exit_code, 0) << written.output;

  const auto direct = (scratch / "direct.h5").string();
  const auto solve = run_imcosim("solve " + problem + " -o " + direct + " --method direct");
  ASSERT_EQ(solve.exit_code, 0) << solve.output;
  EXPECT_LE(relative_difference("compare " + expected + " " + direct), 1e-9);

  const auto spice_result = (scratch / "spice.h5").string();
  const auto spice = run_imcosim("spice " + problem + " -o " + spice_result + " --workers 2");
  ASSERT_EQ(spice.exit_code, 0) << spice.output;
  EXPECT_LE(relative_difference("compare " + expected + " " + spice_result), 1e-6);

  const int sample = k - 1;
  const auto deck = (scratch / "tile.cir").string();
  const auto netlist =
      run_imcosim("netlist " + problem + " -o " + deck + " --sample " + std::to_string(sample));
  ASSERT_EQ(netlist.exit_code, 0) << netlist.output;
  const auto ngspice = run_command("ngspice -b " + deck + " > " + (scratch / "out.txt").string());
  ASSERT_EQ(ngspice.exit_code, 0) << ngspice.output;
  EXPECT_LE(relative_difference("compare-deck " + expected + " " + std::to_string(sample) + " " +
                                (scratch / "out.txt").string()),
            1e-6);

  const auto validate = run_imcosim("validate " + problem + " --workers 1");
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  EXPECT_NE(validate.output.find("PASS"), std::string::npos) << validate.output;
}

INSTANTIATE_TEST_SUITE_P(Sizes, CrossbarCommands,
                         ::testing::Values(Case{1, 1, 1, 1}, Case{1, 17, 3, 2}, Case{23, 1, 2, 3},
                                           Case{7, 5, 4, 4}, Case{16, 16, 6, 5}, Case{32, 32, 3, 6},
                                           Case{29, 13, 5, 7}, Case{32, 20, 2, 8}));

TEST(CrossbarCommands, IdealMethodAndNodeVoltagesAreWritten) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  ASSERT_EQ(run_python(reference_script + " write " + problem + " " +
                       (scratch / "expected.h5").string() + " 6 4 3 11")
                .exit_code,
            0);
  const auto result = (scratch / "result.h5").string();
  ASSERT_EQ(run_imcosim("solve " + problem + " -o " + result + " --node-voltages 2").exit_code, 0);
  const auto shapes = run_python(
      "-c \"import h5py; f = h5py.File('" + result +
      "'); print(f['currents'].shape, f['row_node_voltages'].shape, "
      "f['column_node_voltages'].shape, f.attrs['method'], f.attrs['node_voltage_sample'])\"");
  EXPECT_EQ(shapes.output, "(3, 4) (6, 4) (6, 4) direct 2\n");
  const auto ideal = (scratch / "ideal.h5").string();
  ASSERT_EQ(run_imcosim("solve " + problem + " -o " + ideal + " --method ideal").exit_code, 0);
  const auto product = run_python("-c \"import h5py, numpy as np; p = h5py.File('" + problem +
                                  "'); r = h5py.File('" + ideal +
                                  "'); print(np.abs(r['currents'][()] - p['inputs'][()] @ "
                                  "p['conductance'][()]).max() < 1e-18)\"");
  EXPECT_EQ(product.output, "True\n");
}

// spice --first/--count evaluate a range of the problem's vectors, as imac's do, and the result
// records where it starts.
TEST(CrossbarCommands, SpiceEvaluatesTheVectorsThatFirstAndCountSelect) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  ASSERT_EQ(run_python(reference_script + " write " + problem + " " +
                       (scratch / "expected.h5").string() + " 5 4 6 17")
                .exit_code,
            0);
  const auto direct_path = (scratch / "direct.h5").string();
  ASSERT_EQ(run_imcosim("solve " + problem + " -o " + direct_path + " --method direct").exit_code,
            0);
  const auto direct = io::read_crossbar_result(direct_path);
  EXPECT_EQ(direct.first_sample, 0);
  for (const auto& [options, first, count] :
       {std::tuple{" --first 2 --count 3", 2, 3}, std::tuple{" --first 4", 4, 2},
        std::tuple{" --count 1", 0, 1}}) {
    const auto spice_path = (scratch / "spice.h5").string();
    const auto spice =
        run_imcosim("spice " + problem + " -o " + spice_path + " --workers 1" + options);
    ASSERT_EQ(spice.exit_code, 0) << options << "\n" << spice.output;
    const auto result = io::read_crossbar_result(spice_path);
    EXPECT_EQ(result.first_sample, first) << options;
    ASSERT_EQ(result.currents_ampere.rows(), count) << options;
    const Eigen::MatrixXd expected = direct.currents_ampere.middleRows(first, count);
    EXPECT_LE((result.currents_ampere - expected).cwiseAbs().maxCoeff(),
              1e-6 * expected.cwiseAbs().maxCoeff())
        << options;
  }
  for (const std::string options :
       {" --first 4 --count 3", " --first 6", " --count 0", " --first -1 --count 2"}) {
    const auto refused =
        run_imcosim("spice " + problem + " -o " + (scratch / "refused.h5").string() + options);
    EXPECT_EQ(refused.exit_code, 2) << options << "\n" << refused.output;
    EXPECT_NE(refused.output.find("does not fit the 6 samples of " + problem), std::string::npos)
        << options << "\n"
        << refused.output;
  }
  EXPECT_FALSE(std::filesystem::exists(scratch / "refused.h5"));
  const auto deck = run_imcosim("spice --deck " + (scratch / "tile.cir").string() + " --count 2");
  EXPECT_EQ(deck.exit_code, 2) << deck.output;
  EXPECT_NE(deck.output.find("--count selects input vectors of a problem file"), std::string::npos)
      << deck.output;
}

}  // namespace
}  // namespace imcosim::testing

namespace imcosim::testing {
namespace {

TEST(SpiceDeck, RunsAWrittenDeckAndReportsNgspiceErrorsOfAnEditedOne) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  const auto expected = (scratch / "expected.h5").string();
  ASSERT_EQ(
      run_python(reference_script + " write " + problem + " " + expected + " 5 4 2 12").exit_code,
      0);
  const auto deck = (scratch / "tile.cir").string();
  ASSERT_EQ(run_imcosim("netlist " + problem + " -o " + deck + " --sample 1").exit_code, 0);
  const auto good = run_command(std::string(IMCOSIM_CLI_PATH) + " spice --deck " + deck + " > " +
                                (scratch / "out.txt").string());
  ASSERT_EQ(good.exit_code, 0) << good.output;
  EXPECT_LE(
      relative_difference("compare-deck " + expected + " 1 " + (scratch / "out.txt").string()),
      1e-6);

  // A hand edit that references an undefined model: ngspice only prints about it.
  const auto bad = (scratch / "bad.cir").string();
  ASSERT_EQ(
      run_command("sed 's/^\\(Rdev0_0 .*\\)$/\\1 nosuchmodel/' " + deck + " > " + bad).exit_code,
      0);
  const auto failed = run_imcosim("spice --deck " + bad);
  EXPECT_EQ(failed.exit_code, 2) << failed.output;
  EXPECT_NE(failed.output.find("nosuchmodel"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find("ngspice"), std::string::npos) << failed.output;

  const auto missing = run_imcosim("spice --deck " + (scratch / "none.cir").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("none.cir"), std::string::npos);
}

}  // namespace
}  // namespace imcosim::testing
