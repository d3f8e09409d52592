#include "imcosim/solver/ideal_solver.hpp"

#include <gtest/gtest.h>

namespace imcosim::solver {
namespace {

TEST(IdealSolver, SumsConductanceTimesVoltageDownEachColumn) {
  Eigen::MatrixXd g(2, 3);
  g << 1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3;
  Eigen::MatrixXd inputs(2, 2);
  inputs << 1.0, 0.0, 0.5, -0.25;
  const auto currents = ideal_output_currents(circuit::CrossbarTile(g, {.r_row_ohm = 5.0}), inputs);
  EXPECT_DOUBLE_EQ(currents(0, 2), 3e-3);
  EXPECT_DOUBLE_EQ(currents(1, 0), 0.5 * 1e-3 - 0.25 * 4e-3);
  EXPECT_DOUBLE_EQ(currents(1, 1), 0.5 * 2e-3 - 0.25 * 5e-3);
}

}  // namespace
}  // namespace imcosim::solver
