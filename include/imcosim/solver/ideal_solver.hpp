#pragma once

#include <Eigen/Core>

#include "imcosim/circuit/crossbar_tile.hpp"

namespace imcosim::solver {

// The parasitic-free crossbar: every wire, source and sense resistance taken as zero, so each
// output current is I_out[j] = sum_i G[i][j] V_in[i] (Kirchhoff + Ohm). The baseline every
// benchmark compares to, and the error a designer makes by ignoring the wires.
// Returns K x N currents (amperes) for K x M inputs (volts).
Eigen::MatrixXd ideal_output_currents(const circuit::CrossbarTile& tile,
                                      const Eigen::MatrixXd& inputs_volt);

}  // namespace imcosim::solver
