// SCALE-Sim v2's own COMPUTE_REPORT figures for LeNet on a 32 x 32 array, all three dataflows.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/layer_timing.hpp"
#include "imcosim/tpu/report.hpp"
#include "imcosim/tpu/topology.hpp"
#include "imcosim/tpu/tpu_model.hpp"
#include "tpu_test_support.hpp"

namespace imcosim::tpu {
namespace {

struct ReferenceRow {
  std::string dataflow;
  std::size_t layer_id = 0;
  std::int64_t total_cycles = 0;
  std::int64_t stall_cycles = 0;
  double overall_util = 0.0;
  double mapping_efficiency = 0.0;
  double compute_util = 0.0;
  std::string report_text;  // the row as SCALE-Sim's COMPUTE_REPORT writes it
};

std::vector<ReferenceRow> read_reference() {
  std::ifstream file(testing::source_dir() / "tests/tpu/data/scalesim_lenet_32x32.csv");
  EXPECT_TRUE(file) << "reference file missing";
  std::vector<ReferenceRow> rows;
  std::string line;
  bool header_seen = false;
  while (std::getline(file, line)) {
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (!header_seen) {
      header_seen = true;
      continue;
    }
    std::stringstream fields(line);
    std::vector<std::string> parts;
    std::string part;
    while (std::getline(fields, part, ',')) {
      parts.push_back(part);
    }
    EXPECT_EQ(parts.size(), 7U) << line;
    ReferenceRow row;
    row.dataflow = parts[0];
    row.layer_id = std::stoul(parts[1]);
    row.total_cycles = std::stoll(parts[2]);
    row.stall_cycles = std::stoll(parts[3]);
    row.overall_util = std::stod(parts[4]);
    row.mapping_efficiency = std::stod(parts[5]);
    row.compute_util = std::stod(parts[6]);
    row.report_text = parts[1] + ", " + parts[2] + ", " + parts[3] + ", " + parts[4] + ", " +
                      parts[5] + ", " + parts[6] + ",";
    rows.push_back(row);
  }
  return rows;
}

Topology lenet() {
  return read_topology(testing::source_dir() / "examples/tpu/lenet_topology.csv",
                       TopologyFormat::detect);
}

TEST(ScaleSimReference, AllFifteenLenetRowsMatch) {
  const auto reference = read_reference();
  ASSERT_EQ(reference.size(), 15U);
  const auto topology = lenet();
  ASSERT_EQ(topology.layers.size(), 5U);
  for (const auto& row : reference) {
    SCOPED_TRACE(row.dataflow + " layer " + std::to_string(row.layer_id));
    const auto dataflow = make_dataflow(parse_dataflow(row.dataflow));
    const auto timing = analyse_layer(topology.layers.at(row.layer_id), {32, 32}, *dataflow);
    EXPECT_EQ(timing.total_cycles, row.total_cycles);
    EXPECT_EQ(timing.stall_cycles, row.stall_cycles);
    EXPECT_NEAR(timing.overall_util_percent, row.overall_util, 1e-9);
    EXPECT_NEAR(timing.mapping_efficiency_percent, row.mapping_efficiency, 1e-9);
    EXPECT_NEAR(timing.compute_util_percent, row.compute_util, 1e-9);
  }
}

TEST(ScaleSimReference, ComputeReportTextMatchesScaleSimDigitForDigit) {
  const auto reference = read_reference();
  for (const std::string dataflow : {"os", "ws", "is"}) {
    ArchitectureConfig config;
    config.run_name = "lenet";
    config.array = {32, 32};
    config.ifmap_sram_kib = config.filter_sram_kib = config.ofmap_sram_kib = 64;
    config.dataflow = parse_dataflow(dataflow);
    const auto report = format_compute_report(simulate_topology(lenet(), config));
    std::string expected =
        "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
        "Compute Util %,\n";
    for (const auto& row : reference) {
      if (row.dataflow == dataflow) {
        expected += row.report_text + "\n";
      }
    }
    EXPECT_EQ(report, expected) << dataflow;
  }
}

}  // namespace
}  // namespace imcosim::tpu
