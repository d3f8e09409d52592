#pragma once

#include <Eigen/Core>

#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/solver/node_voltages.hpp"

namespace imcosim::solver {

// The canonical tile's nodal equations, matrix-free, organised by wire line: M row lines
// (word lines, tridiagonal chains of row nodes) and N column lines (bit lines, tridiagonal
// chains of column nodes), coupled only through the devices. Memory is O(MN).
//
// Storage (both row-major): row voltages M x row_length, column voltages column_length x N.
// A zero wire resistance merges its whole line into one node (length 1). A zero r_source holds
// row node (i, 0) at V_in[i]; a zero r_sense holds column node (M-1, j) at the 0 V virtual
// ground. Held nodes stay in the vectors: in the "free" operators below they are identity
// rows with no coupling (their value is known), so that the remaining system
//   [ A_RR  -E ] [x_R]   [b_R]
//   [ -E^T A_CC] [x_C] = [b_C]
// is symmetric positive definite; A_RR and A_CC are block-tridiagonal (one block per line),
// E holds the device conductances between row and column nodes.
class LineOperator {
 public:
  explicit LineOperator(const circuit::CrossbarTile& tile);

  [[nodiscard]] Eigen::Index output_count() const noexcept { return n_; }
  [[nodiscard]] Eigen::Index row_size() const noexcept { return m_ * row_length_; }
  [[nodiscard]] Eigen::Index column_size() const noexcept { return column_length_ * n_; }

  // Starting point for one input vector: held row nodes at their input voltage, everything
  // else 0 V; and the current injected by each driver through r_source into row node (i, 0)
  // when that node is not held (the driver is a Norton source g_source * V_in).
  void initial_state(const Eigen::VectorXd& input_volt, Eigen::VectorXd& row_volt,
                     Eigen::VectorXd& column_volt, Eigen::VectorXd& row_injection_ampere) const;

  // The Kirchhoff residual r = b - A x of the true network at every free node (amperes of
  // current imbalance; 0 at held nodes), computed branch by branch from voltage differences
  // to limit rounding. Returns sum |r| over the free nodes.
  double residual(const Eigen::VectorXd& row_volt, const Eigen::VectorXd& column_volt,
                  const Eigen::VectorXd& row_injection_ampere, Eigen::VectorXd& row_residual,
                  Eigen::VectorXd& column_residual) const;

  // z = A_RR^{-1} r and z = A_CC^{-1} r: every line solved exactly (Thomas algorithm with
  // pivots factorised at construction).
  void solve_rows(const Eigen::VectorXd& rhs, Eigen::VectorXd& solution) const;
  void solve_columns(const Eigen::VectorXd& rhs, Eigen::VectorXd& solution) const;
  // y = A_CC x.
  void multiply_columns(const Eigen::VectorXd& column_volt, Eigen::VectorXd& result) const;
  // y = E x_C (onto row nodes) and y = E^T x_R (onto column nodes); held nodes neither give
  // nor receive.
  void couple_to_rows(const Eigen::VectorXd& column_volt, Eigen::VectorXd& row_result) const;
  void couple_to_columns(const Eigen::VectorXd& row_volt, Eigen::VectorXd& column_result) const;

  // Output currents into the N virtual grounds for a solution (amperes).
  [[nodiscard]] Eigen::VectorXd output_currents(const Eigen::VectorXd& row_volt,
                                                const Eigen::VectorXd& column_volt) const;
  [[nodiscard]] TileNodeVoltages node_voltages(const Eigen::VectorXd& row_volt,
                                               const Eigen::VectorXd& column_volt) const;

 private:
  // Position of device column j on its row line and of device row i on its column line.
  [[nodiscard]] Eigen::Index row_position(Eigen::Index j) const noexcept {
    return row_length_ == 1 ? 0 : j;
  }
  [[nodiscard]] Eigen::Index column_position(Eigen::Index i) const noexcept {
    return column_length_ == 1 ? 0 : i;
  }
  // Conductance of the free-operator link between positions p and p + 1 (0 next to a held
  // node, whose coupling belongs to the right-hand side).
  [[nodiscard]] double row_link(Eigen::Index p) const noexcept {
    return p == 0 && row_held_ ? 0.0 : g_row_;
  }
  [[nodiscard]] double column_link(Eigen::Index p) const noexcept {
    return p == column_length_ - 2 && column_held_ ? 0.0 : g_col_;
  }

  Eigen::Index m_;
  Eigen::Index n_;
  Eigen::Index row_length_;     // N, or 1 when r_row = 0 merges each row line
  Eigen::Index column_length_;  // M, or 1 when r_col = 0 merges each column line
  bool row_held_;               // r_source = 0: row node (i, 0) is the driver output
  bool column_held_;            // r_sense = 0: column node (M-1, j) is the virtual ground
  double g_row_;                // siemens per wire segment (0 when merged)
  double g_col_;
  double g_source_;  // 0 when held
  double g_sense_;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> g_siemens_;  // M x N
  Eigen::VectorXd row_diagonal_;  // free A_RR diagonal, siemens
  Eigen::VectorXd column_diagonal_;
  Eigen::VectorXd row_inverse_pivot_;  // Thomas pivots of every line
  Eigen::VectorXd column_inverse_pivot_;
};

}  // namespace imcosim::solver
