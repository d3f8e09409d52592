#pragma once

#include <Eigen/Core>

namespace imcosim::solver {

// Node voltages of the tile for one input vector (an IR-drop map).
struct TileNodeVoltages {
  Eigen::MatrixXd row_volt;     // M x N, row node (i, j)
  Eigen::MatrixXd column_volt;  // M x N, column node (i, j)
};

}  // namespace imcosim::solver
