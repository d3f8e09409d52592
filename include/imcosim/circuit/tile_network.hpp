#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imcosim/circuit/crossbar_tile.hpp"

namespace imcosim::circuit {

// The canonical tile as a resistive network: the one description that both the netlist writer
// and the nodal solvers read. Zero resistances are already folded in (their two nodes are one
// node), so no element here has zero or infinite resistance.
class TileNetwork {
 public:
  using NodeIndex = std::int64_t;

  enum class NodeKind : std::uint8_t {
    row,     // word-line node (i, j); j = -1 when r_row = 0 merges the whole line i
    column,  // bit-line node (i, j); i = -1 when r_col = 0 merges the whole line j
    driver,  // output of input driver i, before r_source
    sense,   // virtual ground of sense amplifier j, after r_sense
  };
  struct NodeLabel {
    NodeKind kind;
    std::int32_t i;
    std::int32_t j;
  };

  enum class ResistorKind : std::uint8_t { row_wire, column_wire, device, source, sense };
  struct Resistor {
    ResistorKind kind;
    std::int32_t i;  // position in the tile: (row, column) for devices and wires,
    std::int32_t j;  // (input, -1) for source resistors, (-1, output) for sense resistors
    NodeIndex a;
    NodeIndex b;
    double g_siemens;
  };

  // An ideal voltage source from ground to `node` applying input `input` (volts).
  struct Drive {
    NodeIndex node;
    std::int32_t input;
  };
  // An ideal 0 V source from `node` to ground; output `output` is the current flowing into it.
  struct Sense {
    NodeIndex node;
    std::int32_t output;
  };

  explicit TileNetwork(const CrossbarTile& tile);

  [[nodiscard]] NodeIndex node_count() const noexcept {
    return static_cast<NodeIndex>(labels_.size());
  }
  [[nodiscard]] const NodeLabel& label(NodeIndex node) const {
    return labels_[static_cast<std::size_t>(node)];
  }
  // "r3_4", "r3" (merged line), "c2_0", "c0" (merged line), "in3", "s0": valid SPICE node names.
  [[nodiscard]] std::string node_name(NodeIndex node) const;
  [[nodiscard]] const std::vector<Resistor>& resistors() const noexcept { return resistors_; }
  [[nodiscard]] const std::vector<Drive>& drives() const noexcept { return drives_; }
  [[nodiscard]] const std::vector<Sense>& senses() const noexcept { return senses_; }
  [[nodiscard]] Eigen::Index input_count() const noexcept { return input_count_; }
  [[nodiscard]] Eigen::Index output_count() const noexcept { return output_count_; }

 private:
  NodeIndex add_node(NodeLabel label);

  std::vector<NodeLabel> labels_;
  std::vector<Resistor> resistors_;
  std::vector<Drive> drives_;
  std::vector<Sense> senses_;
  Eigen::Index input_count_;
  Eigen::Index output_count_;
};

}  // namespace imcosim::circuit
