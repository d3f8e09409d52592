#include <gtest/gtest.h>

#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/version.hpp"
#include "io/io_test_support.hpp"

namespace imcosim::io {
namespace {

using testing::expect_io_error;
using testing::ScratchDirectory;

CrossbarResult example_result() {
  CrossbarResult result;
  result.currents_ampere = Eigen::MatrixXd::Random(4, 3) * 1e-4;
  result.method = "direct";
  result.tolerance_relative = 1e-12;
  result.timings_s = {{"factor", 0.25}, {"solve", 0.5}};
  result.text_attributes = {{"ngspice_version", "39.3"}, {"source_problem", "p.h5"}};
  return result;
}

TEST(CrossbarResultFile, RoundTripsWithoutNodeVoltages) {
  const ScratchDirectory directory;
  const CrossbarResult written = example_result();
  write_crossbar_result(directory / "r.h5", written);
  const CrossbarResult read = read_crossbar_result(directory / "r.h5");
  EXPECT_EQ(read.currents_ampere, written.currents_ampere);
  EXPECT_EQ(read.method, "direct");
  EXPECT_EQ(read.tolerance_relative, 1e-12);
  EXPECT_EQ(read.timings_s, written.timings_s);
  EXPECT_EQ(read.text_attributes, written.text_attributes);
  EXPECT_FALSE(read.row_node_voltages_volt.has_value());
  EXPECT_FALSE(read.column_node_voltages_volt.has_value());
  EXPECT_EQ(read.node_voltage_sample, -1);
  EXPECT_EQ(read.imcosim_version, version_string);
  EXPECT_EQ(directory.entries(), (std::vector<std::string>{"r.h5"}));
}

TEST(CrossbarResultFile, RoundTripsNodeVoltages) {
  const ScratchDirectory directory;
  CrossbarResult written = example_result();
  written.row_node_voltages_volt = Eigen::MatrixXd::Random(5, 3);
  written.column_node_voltages_volt = Eigen::MatrixXd::Random(5, 3);
  written.node_voltage_sample = 2;
  write_crossbar_result(directory / "r.h5", written);
  const CrossbarResult read = read_crossbar_result(directory / "r.h5");
  ASSERT_TRUE(read.row_node_voltages_volt.has_value());
  ASSERT_TRUE(read.column_node_voltages_volt.has_value());
  EXPECT_EQ(*read.row_node_voltages_volt, *written.row_node_voltages_volt);
  EXPECT_EQ(*read.column_node_voltages_volt, *written.column_node_voltages_volt);
  EXPECT_EQ(read.node_voltage_sample, 2);
}

TEST(CrossbarResultFile, InconsistentResultsAreRefusedBeforeWriting) {
  const ScratchDirectory directory;
  CrossbarResult result = example_result();
  result.row_node_voltages_volt = Eigen::MatrixXd::Zero(5, 3);
  result.node_voltage_sample = 4;
  expect_io_error([&] { write_crossbar_result(directory / "r.h5", result); }, ErrorKind::runtime,
                  {"r.h5", "input vector 4", "[0, 4)"});
  result = example_result();
  result.text_attributes.emplace_back("method", "ideal");
  expect_io_error([&] { write_crossbar_result(directory / "r.h5", result); }, ErrorKind::runtime,
                  {"r.h5", "attribute method", "twice"});
  result = example_result();
  result.timings_s.emplace_back("solve", 1.0);
  expect_io_error([&] { write_crossbar_result(directory / "r.h5", result); }, ErrorKind::runtime,
                  {"attribute time_solve_s", "twice"});
  EXPECT_TRUE(directory.entries().empty());
}

TEST(CrossbarResultFile, FailureWhileWritingKeepsThePreviousFile) {
  const ScratchDirectory directory;
  const CrossbarResult good = example_result();
  write_crossbar_result(directory / "r.h5", good);
  CrossbarResult bad = example_result();
  bad.method = "ideal";
  // HDF5 refuses an empty attribute name, after /currents has been written.
  bad.text_attributes.emplace_back("", "unnamed");
  expect_io_error([&] { write_crossbar_result(directory / "r.h5", bad); }, ErrorKind::runtime,
                  {"attribute", "HDF5:"});
  EXPECT_EQ(directory.entries(), (std::vector<std::string>{"r.h5"}));
  EXPECT_EQ(read_crossbar_result(directory / "r.h5").method, "direct");
}

TEST(CrossbarResultFile, MissingRequiredAttributeIsBadInput) {
  const ScratchDirectory directory;
  {
    hdf5::File file = hdf5::File::create(directory / "r.h5");
    file.write_matrix("currents", Eigen::MatrixXd::Zero(2, 2));
    file.write_string_attribute("imcosim_version", "0.0.0");
    file.write_double_attribute("tolerance_relative", 0.0);
  }
  expect_io_error([&] { static_cast<void>(read_crossbar_result(directory / "r.h5")); },
                  ErrorKind::bad_input, {"r.h5:/", "attribute method", "missing"});
}

}  // namespace
}  // namespace imcosim::io
