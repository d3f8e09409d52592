#include "imcosim/circuit/tile_network.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace imcosim::circuit {
namespace {

using Kind = TileNetwork::ResistorKind;

std::size_t count(const TileNetwork& network, Kind kind) {
  return static_cast<std::size_t>(std::count_if(network.resistors().begin(),
                                                network.resistors().end(),
                                                [&](const auto& r) { return r.kind == kind; }));
}

TEST(TileNetwork, FullParasiticTileHasTheCanonicalElementCounts) {
  const Eigen::Index m = 4;
  const Eigen::Index n = 3;
  const CrossbarTile tile(Eigen::MatrixXd::Constant(m, n, 1e-4),
                          {.r_row_ohm = 1, .r_col_ohm = 2, .r_source_ohm = 3, .r_sense_ohm = 4});
  const TileNetwork network(tile);
  // 2MN internal nodes plus one driver node per row and one virtual ground per column.
  EXPECT_EQ(network.node_count(), 2 * m * n + m + n);
  EXPECT_EQ(count(network, Kind::device), static_cast<std::size_t>(m * n));
  EXPECT_EQ(count(network, Kind::row_wire), static_cast<std::size_t>(m * (n - 1)));
  EXPECT_EQ(count(network, Kind::column_wire), static_cast<std::size_t>((m - 1) * n));
  EXPECT_EQ(count(network, Kind::source), static_cast<std::size_t>(m));
  EXPECT_EQ(count(network, Kind::sense), static_cast<std::size_t>(n));
  std::set<std::string> names;
  for (TileNetwork::NodeIndex node = 0; node < network.node_count(); ++node) {
    names.insert(network.node_name(node));
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(network.node_count()));
  EXPECT_EQ(names.count("r3_2"), 1U);
  EXPECT_EQ(names.count("in0"), 1U);
  EXPECT_EQ(names.count("s2"), 1U);
}

TEST(TileNetwork, ZeroResistancesMergeNodesInsteadOfCreatingIdealResistors) {
  const CrossbarTile tile(Eigen::MatrixXd::Constant(4, 3, 1e-4), {});
  const TileNetwork network(tile);
  EXPECT_EQ(network.node_count(), 4 + 3);  // one node per row line and per column line
  EXPECT_EQ(network.resistors().size(), 12U);
  for (const auto& resistor : network.resistors()) {
    EXPECT_EQ(resistor.kind, Kind::device);
  }
  // Each driver drives its row line directly; each sense ammeter sits on its column line.
  EXPECT_EQ(network.node_name(network.drives()[2].node), "r2");
  EXPECT_EQ(network.node_name(network.senses()[1].node), "c1");
}

TEST(TileNetwork, DevicesJoinTheirRowAndColumnNodes) {
  Eigen::MatrixXd g(2, 2);
  g << 1e-3, 2e-3, 3e-3, 4e-3;
  const TileNetwork network(CrossbarTile(g, {.r_row_ohm = 1, .r_col_ohm = 1}));
  for (const auto& r : network.resistors()) {
    if (r.kind == Kind::device) {
      EXPECT_EQ(r.g_siemens, g(r.i, r.j));
      EXPECT_EQ(network.node_name(r.a), "r" + std::to_string(r.i) + "_" + std::to_string(r.j));
      EXPECT_EQ(network.node_name(r.b), "c" + std::to_string(r.i) + "_" + std::to_string(r.j));
    }
  }
}

}  // namespace
}  // namespace imcosim::circuit
