#include <gtest/gtest.h>

#include <functional>

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

// Maps of several vectors, the worst and the mean (solve --node-voltages 0,3,worst,mean) and the
// first input vector of the currents (spice --first) come back as written.
TEST(CrossbarResultFile, RoundTripsNodeVoltageMapsAndTheFirstSample) {
  const ScratchDirectory directory;
  CrossbarResult written = example_result();
  written.first_sample = 7;
  using Kind = NodeVoltageMap::Kind;
  for (const auto& [kind, sample] : {std::pair{Kind::sample, 3}, std::pair{Kind::worst, 1},
                                     std::pair{Kind::mean, -1}, std::pair{Kind::sample, 0}}) {
    written.node_voltage_maps.push_back({.kind = kind,
                                         .sample = sample,
                                         .ir_drop_volt = kind == Kind::mean ? 0.0 : 0.01 * sample,
                                         .row_volt = Eigen::MatrixXd::Random(5, 3),
                                         .column_volt = Eigen::MatrixXd::Random(5, 3)});
  }
  write_crossbar_result(directory / "r.h5", written);
  const CrossbarResult read = read_crossbar_result(directory / "r.h5");
  EXPECT_EQ(read.first_sample, 7);
  EXPECT_FALSE(read.row_node_voltages_volt.has_value());
  EXPECT_EQ(read.node_voltage_sample, -1);
  // In name order: mean, sample_0, sample_3, worst.
  ASSERT_EQ(read.node_voltage_maps.size(), 4U);
  for (const std::size_t w : {2U, 3U, 0U, 1U}) {
    const auto& expected = written.node_voltage_maps[w];
    const auto& map = read.node_voltage_maps[(w + 2) % 4];
    EXPECT_EQ(node_voltage_map_name(map), node_voltage_map_name(expected));
    EXPECT_EQ(map.sample, expected.sample);
    EXPECT_EQ(map.ir_drop_volt, expected.ir_drop_volt);
    EXPECT_EQ(map.row_volt, expected.row_volt);
    EXPECT_EQ(map.column_volt, expected.column_volt);
  }
}

// A file from before first_sample was recorded starts at vector 0.
TEST(CrossbarResultFile, WithoutFirstSampleTheCurrentsStartAtVectorZero) {
  const ScratchDirectory directory;
  {
    hdf5::File file = hdf5::File::create(directory / "r.h5");
    file.write_matrix("currents", Eigen::MatrixXd::Zero(2, 2));
    file.write_string_attribute("imcosim_version", "0.0.0");
    file.write_string_attribute("method", "direct");
    file.write_double_attribute("tolerance_relative", 1e-9);
  }
  EXPECT_EQ(read_crossbar_result(directory / "r.h5").first_sample, 0);
}

// What the reader would otherwise skip in /node_voltages is refused, naming file and member.
TEST(CrossbarResultFile, UnknownNodeVoltageMembersAreBadInput) {
  const ScratchDirectory directory;
  CrossbarResult written = example_result();
  written.node_voltage_maps.push_back({.kind = NodeVoltageMap::Kind::sample,
                                       .sample = 2,
                                       .ir_drop_volt = 0.0,
                                       .row_volt = Eigen::MatrixXd::Zero(5, 3),
                                       .column_volt = Eigen::MatrixXd::Zero(5, 3)});
  const auto with = [&](const std::function<void(hdf5::File&)>& edit) {
    write_crossbar_result(directory / "r.h5", written);
    auto file = hdf5::File::open_read_write(directory / "r.h5");
    edit(file);
  };
  const auto read = [&] { static_cast<void>(read_crossbar_result(directory / "r.h5")); };
  with([](hdf5::File& file) { file.open_group("node_voltages").create_group("best"); });
  expect_io_error(read, ErrorKind::bad_input,
                  {"r.h5:/node_voltages/best", "expected sample_<k>, worst or mean"});
  with([](hdf5::File& file) {
    file.open_group("node_voltages/sample_2").write_matrix("max", Eigen::MatrixXd::Zero(1, 1));
  });
  expect_io_error(read, ErrorKind::bad_input, {"r.h5:/node_voltages/sample_2/max"});
  with([](hdf5::File& file) {
    file.open_group("node_voltages/sample_2").write_int64_attribute("sample", 1);
  });
  expect_io_error(read, ErrorKind::bad_input, {"r.h5:/node_voltages/sample_2", "sample = 1"});
  with([](hdf5::File& file) { file.write_int64_attribute("first_sample", -1); });
  expect_io_error(read, ErrorKind::bad_input, {"r.h5:/", "first_sample = -1"});
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
  result = example_result();
  const NodeVoltageMap worst{.kind = NodeVoltageMap::Kind::worst,
                             .sample = 4,
                             .ir_drop_volt = 0.1,
                             .row_volt = Eigen::MatrixXd::Zero(5, 3),
                             .column_volt = Eigen::MatrixXd::Zero(5, 3)};
  result.node_voltage_maps = {worst};
  expect_io_error([&] { write_crossbar_result(directory / "r.h5", result); }, ErrorKind::runtime,
                  {"r.h5", "map worst", "input vector 4", "[0, 4)"});
  result.node_voltage_maps.front().sample = 1;
  result.node_voltage_maps.push_back(result.node_voltage_maps.front());
  expect_io_error([&] { write_crossbar_result(directory / "r.h5", result); }, ErrorKind::runtime,
                  {"r.h5", "map worst", "twice"});
  result.node_voltage_maps.back().kind = NodeVoltageMap::Kind::mean;
  result.node_voltage_maps.back().row_volt = Eigen::MatrixXd::Zero(4, 3);
  expect_io_error([&] { write_crossbar_result(directory / "r.h5", result); }, ErrorKind::runtime,
                  {"r.h5", "map mean", "shape"});
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
