// The IMAC circuit description: weight mapping, partitioning, wire geometry, area, parameters.
#include "imcosim/imac/network.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "imac_test_support.hpp"
#include "imcosim/imac/error.hpp"
#include "imcosim/imac/parameters.hpp"
#include "imcosim/imac/wire_resistance.hpp"
#include "support/run_command.hpp"

namespace imcosim::imac {
namespace {

TEST(WireResistance, ReferenceGeometryGivesTheDesignGuidesSegmentResistances) {
  const auto segments = segment_resistances(ImacParameters{});
  EXPECT_NEAR(segments.input_line_ohm, 9.24, 0.01);
  EXPECT_NEAR(segments.output_line_ohm, 11.55, 0.01);
}

TEST(WireResistance, OhmsAndIdealModelsAreTakenAsGiven) {
  ImacParameters parameters;
  parameters.wire_model = WireModel::ohms;
  parameters.r_input_segment_ohm = 2.5;
  parameters.r_output_segment_ohm = 4.0;
  EXPECT_EQ(segment_resistances(parameters).input_line_ohm, 2.5);
  EXPECT_EQ(segment_resistances(parameters).output_line_ohm, 4.0);
  parameters.wire_model = WireModel::ideal;
  EXPECT_EQ(segment_resistances(parameters).output_line_ohm, 0.0);
}

TEST(DevicePair, BinaryAndTernaryFollowTheReferenceMapping) {
  const ImacParameters p;
  const auto plus = device_pair(1.0, WeightEncoding::binary, 2, p);
  EXPECT_DOUBLE_EQ(plus.g_plus_siemens, 1.0 / 5e3);
  EXPECT_DOUBLE_EQ(plus.g_minus_siemens, 1.0 / 15e3);
  const auto minus = device_pair(-1.0, WeightEncoding::ternary, 3, p);
  EXPECT_DOUBLE_EQ(minus.g_plus_siemens, 1.0 / 15e3);
  EXPECT_DOUBLE_EQ(minus.g_minus_siemens, 1.0 / 5e3);
  const auto zero = device_pair(0.0, WeightEncoding::ternary, 3, p);
  EXPECT_DOUBLE_EQ(zero.g_plus_siemens, zero.g_minus_siemens);
}

TEST(DevicePair, KLevelQuantisesLinearlyBetweenGMinAndGMax) {
  const ImacParameters p;
  // 5 levels: -1, -0.5, 0, 0.5, 1; 0.6 rounds to 0.5.
  const auto pair = device_pair(0.6, WeightEncoding::k_level, 5, p);
  EXPECT_NEAR(pair.g_plus_siemens - pair.g_minus_siemens, 0.5 * (p.g_max_siemens - p.g_min_siemens),
              1e-15);
  EXPECT_DOUBLE_EQ(pair.g_minus_siemens, p.g_min_siemens);
}

TEST(Partitioning, FourHundredInputNetworkOnThirtyTwoTiles) {
  const auto model = testing::random_model({400, 120, 84, 10}, WeightEncoding::binary, 3);
  const ImacNetwork network(model, ImacParameters{});
  const auto& first = network.layers()[0];
  EXPECT_EQ(first.horizontal_partitions(), 13U);  // ceil(401 / 32)
  EXPECT_EQ(first.vertical_partitions(), 4U);     // ceil(120 / 32)
  EXPECT_TRUE(first.summed());
  EXPECT_TRUE(first.amplifier.swapped);
  Eigen::Index rows = 0;
  for (const auto& span : first.row_partitions) {
    EXPECT_LE(span.count, 32);
    EXPECT_GE(span.count, 30);  // balanced
    rows += span.count;
  }
  EXPECT_EQ(rows, 401);
  EXPECT_EQ(first.tile(12, 3).rows(), first.row_partitions[12].count);
  EXPECT_EQ(first.tile(12, 3).cols(), 2 * first.neuron_partitions[3].count);
  // 13x4 + 4x3 + 3x1 tiles, each 32 x 64 cells of 108 nm x 135 nm plus 0.56 um^2 per line.
  EXPECT_EQ(network.tile_count(), 52U + 12U + 3U);
  const double tile_um2 = 0.108 * 0.135 * 32 * 64 + 0.56 * (32 + 64);
  EXPECT_NEAR(network.crossbar_area_m2() * 1e12, 67 * tile_um2, 1e-6);
}

TEST(Partitioning, BiasRowIsTheLastRowAndCarriesTheBiasPair) {
  const auto model = testing::random_model({5, 3}, WeightEncoding::binary, 4);
  ImacParameters parameters;
  parameters.xbar_rows = 8;
  const ImacNetwork network(model, parameters);
  const auto& tile = network.layers()[0].tile(0, 0);
  ASSERT_EQ(tile.rows(), 6);
  for (Eigen::Index n = 0; n < 3; ++n) {
    const auto pair = device_pair(model.layers()[0].bias(n), WeightEncoding::binary, 2, parameters);
    EXPECT_EQ(tile.conductance_siemens()(5, 2 * n), pair.g_plus_siemens);
    EXPECT_EQ(tile.conductance_siemens()(5, 2 * n + 1), pair.g_minus_siemens);
  }
}

TEST(Network, ProgrammedDevicesReplaceEveryTilesConductancesInOrder) {
  const auto model = testing::random_model({20, 12, 3}, WeightEncoding::ternary, 6);
  ImacParameters parameters;
  parameters.xbar_rows = 8;
  parameters.xbar_cols = 4;
  const ImacNetwork nominal(model, parameters);
  std::vector<std::pair<std::size_t, std::size_t>> visited;
  const auto programmed = nominal.with_programmed_devices(
      [&](std::size_t layer, std::size_t tile, const Eigen::MatrixXd& target) {
        visited.emplace_back(layer, tile);
        return Eigen::MatrixXd(target * (1.0 + 0.1 * static_cast<double>(layer)));
      });
  ASSERT_EQ(visited.size(), nominal.tile_count());
  EXPECT_EQ(visited.front(), std::make_pair(std::size_t{0}, std::size_t{0}));
  EXPECT_EQ(visited.back().first, 1U);
  const auto& before = nominal.layers()[1].tiles.back().conductance_siemens();
  const auto& after = programmed.layers()[1].tiles.back().conductance_siemens();
  EXPECT_TRUE(after.isApprox(1.1 * before));
  EXPECT_EQ(programmed.layers()[0].tiles[0].conductance_siemens(),
            nominal.layers()[0].tiles[0].conductance_siemens());

  EXPECT_THROW((void)nominal.with_programmed_devices(
                   [](std::size_t, std::size_t, const Eigen::MatrixXd& target) {
                     return Eigen::MatrixXd(target.topRows(1));
                   }),
               ImacError);
  EXPECT_THROW((void)nominal.with_programmed_devices(
                   [](std::size_t, std::size_t, const Eigen::MatrixXd& target) {
                     return Eigen::MatrixXd(-target);
                   }),
               ImacError);
}

TEST(Network, TooFewAmplifierGainsIsAnError) {
  const auto model = testing::random_model({4, 4, 4, 4, 2}, WeightEncoding::binary, 5);
  EXPECT_THROW(ImacNetwork(model, ImacParameters{}), ImacError);
}

TEST(Parameters, ConfigFileOverridesAndRejectsBadKeys) {
  testing::ScratchDirectory scratch;
  const auto path = scratch.path() / "imac.ini";
  std::ofstream(path) << "# test\nxbar_rows = 16\nr_low = 4e3\namp_gains = 10, 20\n"
                         "wire_model = ohms\nneuron = behavioural\n";
  const auto parameters = read_parameters(path);
  EXPECT_EQ(parameters.xbar_rows, 16);
  EXPECT_EQ(parameters.r_low_ohm, 4e3);
  EXPECT_EQ(parameters.amp_gains, (std::vector<double>{10.0, 20.0}));
  EXPECT_EQ(parameters.wire_model, WireModel::ohms);
  EXPECT_EQ(parameters.neuron, NeuronKind::behavioural);

  const auto expect_error = [&](const std::string& text, const std::string& fragment) {
    std::ofstream(path) << text;
    try {
      static_cast<void>(read_parameters(path));
      ADD_FAILURE() << "accepted: " << text;
    } catch (const ImacError& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos);
    }
  };
  expect_error("r_lwo = 5e3\n", "r_lwo");
  expect_error("r_low = -5\n", "r_low");
  expect_error("r_low = 20e3\n", "r_low must be below r_high");
  expect_error("vdd = nan\n", "vdd");
  expect_error("vdd = 1000\n", "vdd = 1000 V is invalid; expected >= 0 and <= 5");
  expect_error("xbar_rows = 0\n", "xbar_rows");
  expect_error("neuron = relu\n", "neuron");
  expect_error("amp_gains = 30,,10\n", "amp_gains");
}

}  // namespace
}  // namespace imcosim::imac
