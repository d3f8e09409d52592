// `imcosim solve --method transfer|iterative|auto` and `imcosim validate --sweep`, end to end:
// problem files written with h5py, results compared with the independent numpy solution
// (tests/cli/crossbar_reference.py) or, where a dense solution is too large, with `direct`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

const std::string reference_script =
    std::string(IMCOSIM_SOURCE_DIR) + "/tests/cli/crossbar_reference.py";

double relative_difference(const std::string& expected, const std::string& result) {
  const auto outcome = run_python(reference_script + " compare " + expected + " " + result);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
  return std::stod(outcome.output);
}

std::string python_print(const std::string& expression) {
  return run_python("-c \"import h5py, numpy as np; print(" + expression + ")\"").output;
}

struct Case {
  int rows;
  int cols;
  int samples;
  int seed;
};

class SolverMethods : public ::testing::TestWithParam<Case> {};

TEST_P(SolverMethods, EveryMethodAgreesWithTheIndependentSolution) {
  const auto [m, n, k, seed] = GetParam();
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  const auto expected = (scratch / "expected.h5").string();
  ASSERT_EQ(
      run_python(reference_script + " write " + problem + " " + expected + " " + std::to_string(m) +
                 " " + std::to_string(n) + " " + std::to_string(k) + " " + std::to_string(seed))
          .exit_code,
      0);
  for (const std::string method : {"transfer", "iterative", "auto"}) {
    const auto result = (scratch / (method + ".h5")).string();
    const auto solve = run_imcosim("solve " + problem + " -o " + result + " --method " + method);
    ASSERT_EQ(solve.exit_code, 0) << solve.output;
    EXPECT_LE(relative_difference(expected, result), 1e-9) << method;
    EXPECT_EQ(python_print("h5py.File('" + result + "').attrs['tolerance_relative']"), "1e-09\n")
        << method;
  }
}

// On a 512x512 tile of 1 ohm wires rounding leaves a Kirchhoff residual sum near 1e-9 of the
// largest output; the result then states that sum (recorded to 6 digits), the bound that holds,
// as its tolerance.
TEST(SolverMethodsLarge, IterativeStatesTheBoundItsResidualGives) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "large.h5").string();
  const auto result = (scratch / "iterative.h5").string();
  ASSERT_EQ(run_python("-c \"import h5py, numpy as np; r = np.random.default_rng(1); "
                       "f = h5py.File('" +
                       problem +
                       "', 'w'); f['conductance'] = 10.0 ** r.uniform(-6, -3, (512, 512)); "
                       "f['inputs'] = r.uniform(-0.5, 0.5, (1, 512)); "
                       "f.attrs.update(r_row=1.0, r_col=1.0, r_source=10.0, r_sense=10.0)\"")
                .exit_code,
            0);
  const auto solve = run_imcosim("solve " + problem + " -o " + result + " --method iterative");
  ASSERT_EQ(solve.exit_code, 0) << solve.output;
  const auto check = run_python(
      "-c \"import h5py; a = h5py.File('" + result +
      "').attrs; bound = max(1e-9, float(a['residual_relative_max'])); "
      "assert abs(a['tolerance_relative'] - bound) <= 1e-5 * bound, (a['tolerance_relative'], "
      "bound)\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

INSTANTIATE_TEST_SUITE_P(Sizes, SolverMethods,
                         ::testing::Values(Case{1, 1, 1, 21}, Case{1, 17, 3, 22},
                                           Case{23, 1, 2, 23}, Case{7, 5, 4, 24},
                                           Case{16, 16, 20, 25}, Case{29, 13, 5, 26},
                                           Case{24, 24, 3, 27}));

TEST(SolverMethods, AutoRecordsTheMethodItChose) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  ASSERT_EQ(run_python(reference_script + " write " + problem + " " +
                       (scratch / "expected.h5").string() + " 6 4 8 31")
                .exit_code,
            0);
  const auto result = (scratch / "result.h5").string();
  ASSERT_EQ(run_imcosim("solve " + problem + " -o " + result).exit_code, 0);
  // 8 input vectors >= min(6, 4): the transfer matrix pays for itself.
  EXPECT_EQ(python_print("h5py.File('" + result + "').attrs['method'], h5py.File('" + result +
                         "').attrs['method_requested']"),
            "transfer auto\n");
}

TEST(SolverMethods, NodeVoltagesOfEveryMethodMatchDirect) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  ASSERT_EQ(run_python(reference_script + " write " + problem + " " +
                       (scratch / "expected.h5").string() + " 9 7 3 32")
                .exit_code,
            0);
  const auto direct = (scratch / "direct.h5").string();
  ASSERT_EQ(run_imcosim("solve " + problem + " -o " + direct + " --method direct --node-voltages 1")
                .exit_code,
            0);
  for (const std::string method : {"transfer", "iterative"}) {
    const auto result = (scratch / (method + ".h5")).string();
    ASSERT_EQ(run_imcosim("solve " + problem + " -o " + result + " --method " + method +
                          " --node-voltages 1")
                  .exit_code,
              0);
    EXPECT_EQ(python_print("max(np.abs(h5py.File('" + result + "')[d][()] - h5py.File('" + direct +
                           "')[d][()]).max() for d in ('row_node_voltages', "
                           "'column_node_voltages')) < 1e-9, h5py.File('" +
                           result + "').attrs['node_voltage_sample']"),
              "True 1\n")
        << method;
  }
}

TEST(SolverMethods, LargerAndDegenerateProblemsWrittenWithH5pyAgreeWithDirect) {
  // Zero row wires and sense resistance, 0.1 ohm columns, devices from 1 kOhm to 1 MOhm.
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  const auto written = run_python(
      "-c \"import h5py, numpy as np; rng = np.random.default_rng(33); f = h5py.File('" + problem +
      "', 'w'); f['conductance'] = 10.0 ** rng.uniform(-6, -3, size=(160, 120)); "
      "f['inputs'] = rng.uniform(-0.5, 0.5, size=(3, 160)); "
      "f.attrs.update(dict(r_row=0.0, r_col=0.1, r_source=5.0, r_sense=0.0))\"");
  ASSERT_EQ(written.exit_code, 0) << written.output;
  const auto direct = (scratch / "direct.h5").string();
  ASSERT_EQ(run_imcosim("solve " + problem + " -o " + direct + " --method direct").exit_code, 0);
  for (const std::string method : {"transfer", "iterative"}) {
    const auto result = (scratch / (method + ".h5")).string();
    const auto solve = run_imcosim("solve " + problem + " -o " + result + " --method " + method);
    ASSERT_EQ(solve.exit_code, 0) << solve.output;
    EXPECT_LE(relative_difference(direct, result), 1e-9) << method;
  }
}

TEST(SolverMethods, IterationLimitItCannotMeetFailsLoudly) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "problem.h5").string();
  ASSERT_EQ(
      run_python("-c \"import h5py, numpy as np; rng = np.random.default_rng(34); f = h5py.File('" +
                 problem +
                 "', 'w'); f['conductance'] = 10.0 ** rng.uniform(-6, -3, size=(20, 20)); "
                 "f['inputs'] = rng.uniform(-0.5, 0.5, size=(2, 20)); "
                 "f.attrs.update(dict(r_row=1.0, r_col=1.0, r_source=10.0, r_sense=10.0))\"")
          .exit_code,
      0);
  const auto result = (scratch / "result.h5").string();
  const auto solve =
      run_imcosim("solve " + problem + " -o " + result + " --method iterative --max-iterations 1");
  EXPECT_EQ(solve.exit_code, 1) << solve.output;
  EXPECT_NE(solve.output.find("did not converge"), std::string::npos) << solve.output;
  EXPECT_FALSE(std::filesystem::exists(result));
  EXPECT_EQ(run_imcosim("solve " + problem + " -o " + result + " --method lu").exit_code, 2);
}

TEST(ValidateSweep, SmallSweepPassesAndWritesItsReport) {
  const ScratchDirectory scratch;
  const auto report = (scratch / "sweep.h5").string();
  const auto sweep = run_imcosim(
      "validate --sweep --sizes 1x1,1x5,6x1,9x7,16x16 --wires 0,2 --periphery 0,30 "
      "--conductances 1e-6:1e-3,1e-4:1e-4 --seed 100 --samples 3 --workers 2 -o " +
      report);
  ASSERT_EQ(sweep.exit_code, 0) << sweep.output;
  EXPECT_NE(sweep.output.find("sweep: 40 cases, 0 outside their tolerance: PASS"),
            std::string::npos)
      << sweep.output;
  EXPECT_EQ(python_print("h5py.File('" + report + "')['error_relative'].shape, h5py.File('" +
                         report + "').attrs['columns'], h5py.File('" + report +
                         "').attrs['passed'], h5py.File('" + report + "')['seed'][-1]"),
            "(40, 5) ngspice,direct,transfer,iterative,ideal 1 139.0\n");
}

// A sweep with -o rewrites its report after every case; run again, it resumes after the cases
// the report holds (here a report cut back to its first 3 of 8 cases, as a killed run leaves
// it): those are not recomputed (their times are kept) and the rest match an uninterrupted run.
TEST(ValidateSweep, ResumesFromTheCasesItsReportHolds) {
  const ScratchDirectory scratch;
  const auto report = (scratch / "sweep.h5").string();
  const std::string command =
      "validate --sweep --sizes 3x3,5x4 --wires 0,2 --periphery 10 --seeds 2 --samples 2 "
      "--spice-max-size 4 --workers 1 -o " +
      report;
  const auto full = run_imcosim(command);
  ASSERT_EQ(full.exit_code, 0) << full.output;
  EXPECT_EQ(python_print("np.array(h5py.File('" + report + "')['error_relative']).shape, " +
                         "h5py.File('" + report + "').attrs['complete']"),
            "(8, 5) 1\n");
  const auto full_errors =
      python_print("repr(np.array(h5py.File('" + report + "')['error_relative'])[3:])");

  const auto cut = run_python(
      "-c \"import h5py, numpy as np\n"
      "f = h5py.File('" +
      report +
      "', 'r+')\n"
      "for name in list(f):\n"
      "    if isinstance(f[name], h5py.Dataset) and name != 'tolerance_relative':\n"
      "        kept = np.array(f[name])[:3]; del f[name]; f[name] = kept\n"
      "f['time_s'][...] = 1234.5\n"
      "f.attrs['complete'] = 0\"");
  ASSERT_EQ(cut.exit_code, 0) << cut.output;

  const auto resumed = run_imcosim(command);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming " + report + " after 3 of 8 cases"), std::string::npos)
      << resumed.output;
  EXPECT_NE(resumed.output.find("sweep: 8 cases, 0 outside their tolerance: PASS"),
            std::string::npos)
      << resumed.output;
  const std::string times = "np.array(h5py.File('" + report + "')['time_s'])[:, 1]";
  EXPECT_EQ(python_print(times + "[:3].tolist(), bool(" + times + "[3] != 1234.5), h5py.File('" +
                         report + "').attrs['complete']"),
            "[1234.5, 1234.5, 1234.5] True 1\n")
      << "the first three cases were recomputed, or the rest not";
  EXPECT_EQ(python_print("repr(np.array(h5py.File('" + report + "')['error_relative'])[3:])"),
            full_errors);
}

// A report of another sweep (or any other file) at -o is an input: never replaced.
TEST(ValidateSweep, KeepsAReportOfAnotherSweep) {
  const ScratchDirectory scratch;
  const auto report = (scratch / "sweep.h5").string();
  const auto first = run_imcosim("validate --sweep --sizes 3x3 --wires 0 --periphery 0 -o " +
                                 report + " --spice-max-size 0");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = python_print("h5py.File('" + report + "').attrs['sweep']");
  const auto other = run_imcosim("validate --sweep --sizes 4x4 --wires 0 --periphery 0 -o " +
                                 report + " --spice-max-size 0");
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_NE(other.output.find(report + " is not a report of this sweep"), std::string::npos)
      << other.output;
  EXPECT_EQ(python_print("h5py.File('" + report + "').attrs['sweep']"), before);

  const auto text = scratch / "notes.txt";
  std::ofstream(text) << "not a report\n";
  const auto on_text = run_imcosim("validate --sweep --sizes 3x3 -o " + text.string());
  EXPECT_EQ(on_text.exit_code, 2) << on_text.output;
  std::ifstream read_back(text);
  std::string line;
  std::getline(read_back, line);
  EXPECT_EQ(line, "not a report");
}

TEST(ValidateSweep, SkipsNgspiceAboveItsSizeLimit) {
  const auto sweep = run_imcosim(
      "validate --sweep --sizes 3x3,40x20 --wires 1 --periphery 10 --spice-max-size 8 "
      "--workers 1");
  ASSERT_EQ(sweep.exit_code, 0) << sweep.output;
  // The 40x20 row has no ngspice error ("-") and the sweep still passes.
  EXPECT_NE(sweep.output.find("40x20"), std::string::npos) << sweep.output;
  EXPECT_NE(sweep.output.find("PASS"), std::string::npos) << sweep.output;
}

TEST(ValidateSweep, RejectsMalformedOptions) {
  EXPECT_EQ(run_imcosim("validate --sweep --sizes 3y4").exit_code, 2);
  EXPECT_EQ(run_imcosim("validate --sweep --wires -1").exit_code, 2);
  EXPECT_EQ(run_imcosim("validate --sweep --conductances 1e-3:1e-6").exit_code, 2);
  EXPECT_EQ(run_imcosim("validate").exit_code, 2);
}

}  // namespace
}  // namespace imcosim::testing
