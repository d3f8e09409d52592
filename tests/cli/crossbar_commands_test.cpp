// The foundation's acceptance, end to end: problem files written with h5py, solved by
// `imcosim solve`, `imcosim spice` and plain `ngspice -b` on `imcosim netlist` output, each
// compared with an independent dense MNA solution computed by numpy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <tuple>

#include "imcosim/io/crossbar_files.hpp"
#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

const std::string reference_script =
    std::string(IMCOSIM_SOURCE_DIR) + "/tests/cli/crossbar_reference.py";

// Writes problem.h5 and the currents the independent solution predicts, expected.h5, into
// `scratch`: `shape_and_seed` is "M N K SEED". Returns the problem's path.
std::string write_problem(const ScratchDirectory& scratch, const std::string& shape_and_seed) {
  const auto problem = (scratch / "problem.h5").string();
  const auto written = run_python(reference_script + " write " + problem + " " +
                                  (scratch / "expected.h5").string() + " " + shape_and_seed);
  EXPECT_EQ(written.exit_code, 0) << written.output;
  return problem;
}

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
  const auto problem = write_problem(scratch, "6 4 3 11");
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

// The largest |ideal - actual| node voltage, written out independently of the solver's
// ir_drop_volt: a row node ideally holds its input, a column node the virtual ground.
double independent_ir_drop_volt(const Eigen::VectorXd& input_volt, const Eigen::MatrixXd& row_volt,
                                const Eigen::MatrixXd& column_volt) {
  double drop = 0.0;
  for (Eigen::Index i = 0; i < row_volt.rows(); ++i) {
    for (Eigen::Index j = 0; j < row_volt.cols(); ++j) {
      drop =
          std::max({drop, std::abs(input_volt(i) - row_volt(i, j)), std::abs(column_volt(i, j))});
    }
  }
  return drop;
}

// --node-voltages with several vectors, worst and mean: every map equals the one a single-index
// run writes, the worst is the vector whose map has the largest IR drop, the mean the average.
TEST(CrossbarCommands, NodeVoltagesOfSeveralVectorsTheWorstAndTheMean) {
  const ScratchDirectory scratch;
  const auto problem_path = write_problem(scratch, "7 5 6 13");
  const auto problem = io::read_crossbar_problem(problem_path);
  const auto result_path = (scratch / "maps.h5").string();
  const auto solve = run_imcosim("solve " + problem_path + " -o " + result_path +
                                 " --method direct --node-voltages 4,1,worst,mean");
  ASSERT_EQ(solve.exit_code, 0) << solve.output;
  const auto result = io::read_crossbar_result(result_path);
  EXPECT_FALSE(result.row_node_voltages_volt.has_value());
  ASSERT_EQ(result.node_voltage_maps.size(), 4U);  // in name order
  const auto& mean = result.node_voltage_maps[0];
  const auto& one = result.node_voltage_maps[1];
  const auto& four = result.node_voltage_maps[2];
  const auto& worst = result.node_voltage_maps[3];
  EXPECT_EQ(io::node_voltage_map_name(mean), "mean");
  EXPECT_EQ(io::node_voltage_map_name(one), "sample_1");
  EXPECT_EQ(io::node_voltage_map_name(four), "sample_4");
  EXPECT_EQ(io::node_voltage_map_name(worst), "worst");

  Eigen::MatrixXd row_sum = Eigen::MatrixXd::Zero(7, 5);
  Eigen::MatrixXd column_sum = Eigen::MatrixXd::Zero(7, 5);
  long worst_sample = -1;
  double worst_drop_volt = -1.0;
  for (long k = 0; k < 6; ++k) {
    const auto single_path = (scratch / ("single" + std::to_string(k) + ".h5")).string();
    const auto single_solve = run_imcosim("solve " + problem_path + " -o " + single_path +
                                          " --method direct --node-voltages " + std::to_string(k));
    ASSERT_EQ(single_solve.exit_code, 0) << single_solve.output;
    const auto single = io::read_crossbar_result(single_path);
    ASSERT_TRUE(single.row_node_voltages_volt && single.column_node_voltages_volt);
    EXPECT_TRUE(single.node_voltage_maps.empty());
    const Eigen::MatrixXd& row = *single.row_node_voltages_volt;
    const Eigen::MatrixXd& column = *single.column_node_voltages_volt;
    row_sum += row;
    column_sum += column;
    const double drop_volt =
        independent_ir_drop_volt(problem.inputs_volt.row(k).transpose(), row, column);
    if (drop_volt > worst_drop_volt) {
      worst_sample = k;
      worst_drop_volt = drop_volt;
    }
    for (const auto* map : {&one, &four}) {
      if (map->sample == k) {
        EXPECT_EQ(map->row_volt, row);
        EXPECT_EQ(map->column_volt, column);
        EXPECT_NEAR(map->ir_drop_volt, drop_volt, 1e-15);
      }
    }
  }
  EXPECT_GT(worst_drop_volt, 0.0);
  EXPECT_EQ(worst.sample, worst_sample);
  EXPECT_NEAR(worst.ir_drop_volt, worst_drop_volt, 1e-15);
  EXPECT_NEAR(independent_ir_drop_volt(problem.inputs_volt.row(worst_sample).transpose(),
                                       worst.row_volt, worst.column_volt),
              worst_drop_volt, 1e-15);
  EXPECT_LE((mean.row_volt - row_sum / 6.0).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LE((mean.column_volt - column_sum / 6.0).cwiseAbs().maxCoeff(), 1e-15);

  // The datasets h5py users read.
  const auto layout = run_python(
      "-c \"import h5py; f = h5py.File('" + result_path +
      "'); g = f['node_voltages']; print(sorted(g), g['worst/row'].shape, "
      "g['mean/column'].shape, g['sample_4'].attrs['sample'], 'sample' in g['mean'].attrs)\"");
  EXPECT_EQ(layout.output, "['mean', 'sample_1', 'sample_4', 'worst'] (7, 5) (7, 5) 4 False\n");

  // Bad requests are refused before anything is solved, naming the option and the problem.
  for (const auto& [request, message] :
       {std::pair{"0,6", "--node-voltages 6 is out of range: " + problem_path},
        std::pair{"worst,2,worst", std::string("'worst' is named twice")},
        std::pair{"3,03", std::string("'03' is named twice")},
        std::pair{"0,,1", std::string("'' is not an input vector index, worst or mean")},
        std::pair{"max", std::string("'max' is not an input vector index, worst or mean")}}) {
    const auto refused =
        run_imcosim("solve " + problem_path + " -o " + (scratch / "refused.h5").string() +
                    " --node-voltages " + request);
    EXPECT_EQ(refused.exit_code, 2) << request << ": " << refused.output;
    EXPECT_NE(refused.output.find(message), std::string::npos) << request << ": " << refused.output;
  }
  EXPECT_FALSE(std::filesystem::exists(scratch / "refused.h5"));
}

// Maps beyond this machine's memory are refused (exit 2) before any of them is allocated: 4096
// vectors of a 1 x N tile, N chosen so that their maps need more than the physical memory while
// the problem file stays a few megabytes.
TEST(CrossbarCommands, NodeVoltageMapsBeyondMemoryAreRefused) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "wide.h5").string();
  constexpr long vectors = 4096;
  const auto memory_bytes =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  const auto columns = static_cast<long>(memory_bytes / (2.0 * 8.0 * vectors)) + 1;
  const auto written =
      run_python("-c \"import h5py, numpy as np; f = h5py.File('" + problem +
                 "', 'w'); f['conductance'] = np.full((1, " + std::to_string(columns) +
                 "), 1e-4); f['inputs'] = np.full((" + std::to_string(vectors) +
                 ", 1), 0.3); f.attrs.update(r_row=1.0, r_col=1.0, r_source=0.0, r_sense=0.0)\"");
  ASSERT_EQ(written.exit_code, 0) << written.output;
  std::string every_vector = "0";
  for (long k = 1; k < vectors; ++k) {
    every_vector += "," + std::to_string(k);
  }
  const auto refused = run_imcosim("solve " + problem + " -o " + (scratch / "r.h5").string() +
                                   " --node-voltages " + every_vector);
  EXPECT_EQ(refused.exit_code, 2) << refused.output.substr(0, 2000);
  EXPECT_NE(refused.output.find(problem + ": --node-voltages 0,1,2,"), std::string::npos)
      << refused.output.substr(0, 2000);
  EXPECT_NE(refused.output.find("4096 maps of 1 x " + std::to_string(columns) +
                                " row and column node voltages needs"),
            std::string::npos)
      << refused.output.substr(0, 2000);
  EXPECT_FALSE(std::filesystem::exists(scratch / "r.h5"));
}

// spice --first/--count evaluate a range of the problem's vectors, as imac's do, and the result
// records where it starts.
TEST(CrossbarCommands, SpiceEvaluatesTheVectorsThatFirstAndCountSelect) {
  const ScratchDirectory scratch;
  const auto problem = write_problem(scratch, "5 4 6 17");
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
