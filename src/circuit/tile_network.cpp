#include "imcosim/circuit/tile_network.hpp"

namespace imcosim::circuit {

TileNetwork::TileNetwork(const CrossbarTile& tile)
    : input_count_(tile.rows()), output_count_(tile.cols()) {
  const auto m = static_cast<std::int32_t>(tile.rows());
  const auto n = static_cast<std::int32_t>(tile.cols());
  const auto& wires = tile.wires();
  const bool row_is_ideal = wires.r_row_ohm == 0.0;
  const bool col_is_ideal = wires.r_col_ohm == 0.0;

  // Nodes. A line whose wire is ideal is a single node.
  std::vector<NodeIndex> row_node(static_cast<std::size_t>(m) * static_cast<std::size_t>(n));
  std::vector<NodeIndex> col_node(row_node.size());
  const auto at = [n](std::int32_t i, std::int32_t j) {
    return static_cast<std::size_t>(i) * static_cast<std::size_t>(n) + static_cast<std::size_t>(j);
  };
  for (std::int32_t i = 0; i < m; ++i) {
    for (std::int32_t j = 0; j < n; ++j) {
      row_node[at(i, j)] = (row_is_ideal && j > 0)
                               ? row_node[at(i, 0)]
                               : add_node({NodeKind::row, i, row_is_ideal ? -1 : j});
    }
  }
  for (std::int32_t i = 0; i < m; ++i) {
    for (std::int32_t j = 0; j < n; ++j) {
      col_node[at(i, j)] = (col_is_ideal && i > 0)
                               ? col_node[at(0, j)]
                               : add_node({NodeKind::column, col_is_ideal ? -1 : i, j});
    }
  }

  // Devices and wire segments.
  resistors_.reserve(static_cast<std::size_t>(3 * m * n + m + n));
  for (std::int32_t i = 0; i < m; ++i) {
    for (std::int32_t j = 0; j < n; ++j) {
      if (!row_is_ideal && j + 1 < n) {
        resistors_.push_back({ResistorKind::row_wire, i, j, row_node[at(i, j)],
                              row_node[at(i, j + 1)], 1.0 / wires.r_row_ohm});
      }
      resistors_.push_back({ResistorKind::device, i, j, row_node[at(i, j)], col_node[at(i, j)],
                            tile.conductance_siemens()(i, j)});
      if (!col_is_ideal && i + 1 < m) {
        resistors_.push_back({ResistorKind::column_wire, i, j, col_node[at(i, j)],
                              col_node[at(i + 1, j)], 1.0 / wires.r_col_ohm});
      }
    }
  }

  // Periphery: drivers at column 0 of each row, sense amplifiers below row M-1 of each column.
  for (std::int32_t i = 0; i < m; ++i) {
    NodeIndex driven = row_node[at(i, 0)];
    if (wires.r_source_ohm > 0.0) {
      const NodeIndex driver = add_node({NodeKind::driver, i, -1});
      resistors_.push_back({ResistorKind::source, i, -1, driver, driven, 1.0 / wires.r_source_ohm});
      driven = driver;
    }
    drives_.push_back({driven, i});
  }
  for (std::int32_t j = 0; j < n; ++j) {
    NodeIndex sensed = col_node[at(m - 1, j)];
    if (wires.r_sense_ohm > 0.0) {
      const NodeIndex virtual_ground = add_node({NodeKind::sense, -1, j});
      resistors_.push_back(
          {ResistorKind::sense, -1, j, sensed, virtual_ground, 1.0 / wires.r_sense_ohm});
      sensed = virtual_ground;
    }
    senses_.push_back({sensed, j});
  }
}

TileNetwork::NodeIndex TileNetwork::add_node(NodeLabel label) {
  labels_.push_back(label);
  return node_count() - 1;
}

std::string TileNetwork::node_name(NodeIndex node) const {
  const auto& [kind, i, j] = label(node);
  switch (kind) {
    case NodeKind::row:
      return j < 0 ? "r" + std::to_string(i) : "r" + std::to_string(i) + "_" + std::to_string(j);
    case NodeKind::column:
      return i < 0 ? "c" + std::to_string(j) : "c" + std::to_string(i) + "_" + std::to_string(j);
    case NodeKind::driver:
      return "in" + std::to_string(i);
    case NodeKind::sense:
      return "s" + std::to_string(j);
  }
  return {};
}

}  // namespace imcosim::circuit
