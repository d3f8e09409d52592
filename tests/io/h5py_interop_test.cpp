// Files as users write and read them: Debian's python3 with h5py and numpy on the other side.
#include <gtest/gtest.h>

#include <sstream>

#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/version.hpp"
#include "io/io_test_support.hpp"

namespace imcosim::io {
namespace {

using testing::run_python;
using testing::ScratchDirectory;

// The problem of docs/file-formats.md, with the element types chosen by the command line.
constexpr const char* user_problem_script = R"(
import sys, h5py, numpy as np
path = sys.argv[1]
conductance_type, inputs_type = path.rsplit('/', 1)[1][:-3].split('-')
conductance = np.array([[1e-4, 2e-4, 3e-4],
                        [4e-4, 5e-4, 6e-4]]) if conductance_type != 'int32' else \
              np.array([[1, 2, 3], [4, 5, 6]])
inputs = np.array([[0.5, -0.25], [0.0, 0.75], [1.0, 0.0], [0.125, 0.5]]) \
         if inputs_type != 'int64' else np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
with h5py.File(path, 'w') as f:
    f.create_dataset('conductance', data=conductance.astype(conductance_type))
    f.create_dataset('inputs', data=inputs.astype(inputs_type))
    f.attrs['r_row'] = 11.55
    f.attrs['r_col'] = np.float32(9.25)
    f.attrs['r_source'] = 0          # a Python int: stored as int64
    f.attrs['r_sense'] = 1e3
)";

struct ElementTypes {
  const char* conductance;
  const char* inputs;
};

class UserProblemFile : public ::testing::TestWithParam<ElementTypes> {};

TEST_P(UserProblemFile, IsReadWithItsValuesConvertedToDouble) {
  const ScratchDirectory directory;
  const std::filesystem::path path =
      directory / (std::string(GetParam().conductance) + "-" + GetParam().inputs + ".h5");
  const testing::PythonRun run = run_python(user_problem_script, path);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  const CrossbarProblem problem = read_crossbar_problem(path);
  const bool integer_conductance = std::string(GetParam().conductance) == "int32";
  const bool integer_inputs = std::string(GetParam().inputs) == "int64";
  Eigen::MatrixXd conductance(2, 3);
  conductance << 1, 2, 3, 4, 5, 6;
  if (!integer_conductance) {
    conductance *= 1e-4;
  }
  Eigen::MatrixXd inputs(4, 2);
  if (integer_inputs) {
    inputs << 1, 0, 0, 1, 1, 1, 0, 0;
  } else {
    inputs << 0.5, -0.25, 0.0, 0.75, 1.0, 0.0, 0.125, 0.5;
  }
  // float32 holds these conductances only to its precision; all other values are exact.
  const double tolerance = std::string(GetParam().conductance) == "float32" ? 1e-7 : 1e-15;
  EXPECT_TRUE(problem.tile.conductance_siemens().isApprox(conductance, tolerance))
      << problem.tile.conductance_siemens();
  EXPECT_EQ(problem.inputs_volt, inputs);
  EXPECT_EQ(problem.tile.wires().r_row_ohm, 11.55);
  EXPECT_EQ(problem.tile.wires().r_col_ohm, 9.25);
  EXPECT_EQ(problem.tile.wires().r_source_ohm, 0.0);
  EXPECT_EQ(problem.tile.wires().r_sense_ohm, 1e3);
}

INSTANTIATE_TEST_SUITE_P(ElementTypes, UserProblemFile,
                         ::testing::Values(ElementTypes{"float64", "float64"},
                                           ElementTypes{"float32", "float32"},
                                           ElementTypes{"int32", "int64"}),
                         [](const ::testing::TestParamInfo<ElementTypes>& type_info) {
                           return std::string(type_info.param.conductance) + "_" +
                                  type_info.param.inputs;
                         });

TEST(ResultFileForH5py, HasTheDocumentedShapeAndAttributes) {
  const ScratchDirectory directory;
  CrossbarResult result;
  result.currents_ampere.resize(2, 3);
  result.currents_ampere << 1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6;
  result.method = "ngspice";
  result.tolerance_relative = 1e-6;
  result.timings_s = {{"solve", 0.125}};
  result.text_attributes = {{"ngspice_version", "39.3"}};
  result.row_node_voltages_volt = Eigen::MatrixXd::Constant(4, 3, 0.5);
  result.column_node_voltages_volt = Eigen::MatrixXd::Constant(4, 3, 0.25);
  result.node_voltage_sample = 1;
  write_crossbar_result(directory / "result.h5", result);

  const testing::PythonRun run = run_python(R"(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    currents = f['currents']
    assert currents.dtype == np.float64, currents.dtype
    assert currents.shape == (2, 3), currents.shape
    assert currents[1, 0] == 4e-6, currents[1, 0]
    assert f['currents'].attrs['unit'] == 'A'
    assert f['row_node_voltages'].shape == (4, 3)
    assert f['column_node_voltages'][0, 0] == 0.25
    assert f.attrs['node_voltage_sample'] == 1
    assert f.attrs['method'] == 'ngspice', f.attrs['method']
    assert f.attrs['tolerance_relative'] == 1e-6
    assert f.attrs['time_solve_s'] == 0.125
    assert f.attrs['ngspice_version'] == '39.3'
    print(f.attrs['imcosim_version'])
    print(repr(float(currents[0, 2])))
)",
                                            directory / "result.h5");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::istringstream lines(run.output);
  std::string version;
  double current_ampere = 0.0;
  lines >> version >> current_ampere;
  EXPECT_EQ(version, version_string);
  EXPECT_EQ(current_ampere, 3e-6);
}

}  // namespace
}  // namespace imcosim::io
