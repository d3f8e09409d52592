#pragma once

#include <Eigen/SparseCore>
#include <vector>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/node_voltages.hpp"

namespace imcosim::solver {

// Nodal equations of a tile network with the nodes held by ideal sources (drivers and sense
// virtual grounds) eliminated:
//   A v_u = B v_in,   i_out = C_u v_u + C_in v_in,
// A = conductance matrix of the unknown nodes (SPD: every node reaches a held node through
// positive conductances), B = conductances from unknown nodes to the driven nodes, and the
// output currents sum g * v over the resistors that end at each virtual ground (held at 0 V,
// so only the far end's voltage counts). Shared by the direct and transfer solvers.
class NodalSystem {
 public:
  using SparseMatrix = Eigen::SparseMatrix<double>;

  explicit NodalSystem(const circuit::TileNetwork& network);

  [[nodiscard]] const SparseMatrix& conductance() const noexcept { return conductance_; }
  [[nodiscard]] const SparseMatrix& to_unknowns() const noexcept { return to_unknowns_; }
  [[nodiscard]] const SparseMatrix& currents_from_unknowns() const noexcept {
    return currents_from_unknowns_;
  }
  [[nodiscard]] const SparseMatrix& currents_from_inputs() const noexcept {
    return currents_from_inputs_;
  }
  [[nodiscard]] Eigen::Index input_count() const noexcept { return input_count_; }
  [[nodiscard]] Eigen::Index output_count() const noexcept { return output_count_; }
  [[nodiscard]] Eigen::Index unknown_count() const noexcept { return unknown_count_; }

  // Row and column node voltages (M x N each) from the unknowns' voltages and the inputs.
  [[nodiscard]] TileNodeVoltages node_voltages(const Eigen::VectorXd& unknowns_volt,
                                               const Eigen::VectorXd& input_volt) const;

 private:
  // How a node of the network enters the nodal system.
  struct NodeRole {
    enum class Kind { unknown, driven, sensed } kind;
    Eigen::Index index;  // unknown number, input number, or output number
  };

  SparseMatrix conductance_;             // A: unknowns x unknowns
  SparseMatrix to_unknowns_;             // B: unknowns x inputs
  SparseMatrix currents_from_unknowns_;  // C_u: outputs x unknowns
  SparseMatrix currents_from_inputs_;    // C_in: outputs x inputs
  std::vector<NodeRole> roles_;
  std::vector<circuit::TileNetwork::NodeLabel> labels_;  // where each node sits in the tile
  Eigen::Index input_count_ = 0;
  Eigen::Index output_count_ = 0;
  Eigen::Index unknown_count_ = 0;
};

}  // namespace imcosim::solver
