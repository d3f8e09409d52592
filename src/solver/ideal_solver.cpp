#include "imcosim/solver/ideal_solver.hpp"

namespace imcosim::solver {

Eigen::MatrixXd ideal_output_currents(const circuit::CrossbarTile& tile,
                                      const Eigen::MatrixXd& inputs_volt) {
  return inputs_volt * tile.conductance_siemens();
}

}  // namespace imcosim::solver
