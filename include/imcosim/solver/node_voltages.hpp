#pragma once

#include <Eigen/Core>
#include <algorithm>

namespace imcosim::solver {

// Node voltages of the tile for one input vector (an IR-drop map).
struct TileNodeVoltages {
  Eigen::MatrixXd row_volt;     // M x N, row node (i, j)
  Eigen::MatrixXd column_volt;  // M x N, column node (i, j)
};

// The IR drop of the tile for input vector `input_volt` (M): the largest deviation of any node
// from its voltage without parasitics, max over (i, j) of |input_volt(i) - row_volt(i, j)| and
// |column_volt(i, j)|. Without wire, source and sense resistance every row node holds its
// driver's voltage and every column node the virtual ground, 0 V.
[[nodiscard]] inline double ir_drop_volt(const Eigen::VectorXd& input_volt,
                                         const TileNodeVoltages& nodes) {
  const double row_drop = (nodes.row_volt.colwise() - input_volt).cwiseAbs().maxCoeff();
  return std::max(row_drop, nodes.column_volt.cwiseAbs().maxCoeff());
}

}  // namespace imcosim::solver
