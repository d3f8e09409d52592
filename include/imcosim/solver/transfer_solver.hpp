#pragma once

#include <Eigen/Core>
#include <memory>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/node_voltages.hpp"

namespace imcosim::solver {

// A linear tile with fixed conductances is a linear map from its M input voltages to its N
// output currents: I_out = T V_in. The transfer solver extracts T (N x M, siemens) exactly,
// once, from the nodal equations A v_u = B v_in, i_out = C_u v_u + C_in v_in of the tile
// network (held nodes eliminated, A SPD):
//   T = C_in + C_u A^{-1} B = C_in + (A^{-1} C_u^T)^T B,
// factorising A once (CHOLMOD) and solving min(M, N) right-hand sides in blocks over both
// cores: B's M columns when M <= N, otherwise the adjoint's N columns C_u^T. After that every
// input vector costs one dense matrix-vector product, the cost of the ideal crossbar.
class TransferSolver {
 public:
  // Agreement with an independent exact solution, relative to the largest output current:
  // the extraction is the direct solver's factorisation applied to unit inputs (or outputs),
  // so it inherits the direct solver's accuracy.
  static constexpr double tolerance_relative = 1e-9;

  explicit TransferSolver(const circuit::TileNetwork& network);
  ~TransferSolver();
  TransferSolver(TransferSolver&&) noexcept;
  TransferSolver& operator=(TransferSolver&&) noexcept;

  // T (N x M, siemens): output current j per volt at input i, every other input at 0 V.
  [[nodiscard]] const Eigen::MatrixXd& transfer_siemens() const noexcept;

  // Output currents (K x N, amperes) for input vectors given as rows of `inputs_volt` (K x M).
  [[nodiscard]] Eigen::MatrixXd output_currents(const Eigen::MatrixXd& inputs_volt) const;

  // Every row and column node voltage for one input vector (M entries, volts): one solve with
  // the kept factor.
  [[nodiscard]] TileNodeVoltages node_voltages(const Eigen::VectorXd& input_volt) const;

  // The tile's exact port admittance Y ((M + N) x (M + N), siemens): ports are the M driver
  // outputs (before r_source) then the N sense virtual grounds (after r_sense); Y(p, q) is the
  // current flowing from port p into the tile per volt at port q, every other port at 0 V.
  // Amplifiers and partitions attach here. T = -Y(senses, drivers). Costs M + N solves.
  [[nodiscard]] Eigen::MatrixXd port_admittance_siemens() const;

 private:
  struct Extraction;
  std::unique_ptr<Extraction> extraction_;
};

}  // namespace imcosim::solver
