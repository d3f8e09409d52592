#include "imcosim/solver/direct_solver.hpp"

#include <gtest/gtest.h>

#include "imcosim/solver/agreement.hpp"
#include "imcosim/solver/ideal_solver.hpp"
#include "support/reference_tile_solution.hpp"

namespace imcosim::solver {
namespace {

using circuit::CrossbarTile;
using circuit::TileNetwork;
using circuit::WireResistances;

Eigen::MatrixXd direct_currents(const Eigen::MatrixXd& g, const WireResistances& wires,
                                const Eigen::MatrixXd& inputs) {
  return DirectSolver(TileNetwork(CrossbarTile(g, wires))).output_currents(inputs);
}

struct Shape {
  Eigen::Index rows;
  Eigen::Index cols;
};

class DirectSolverAgainstReference : public ::testing::TestWithParam<Shape> {};

TEST_P(DirectSolverAgainstReference, RandomTilesAgreeWithinTheStatedTolerance) {
  const auto [m, n] = GetParam();
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const auto tile =
        testing::random_tile(seed * 7919 + static_cast<std::uint64_t>(m * 100 + n), m, n, 3);
    const auto reference =
        testing::reference_tile_solution(tile.g_siemens, tile.wires, tile.inputs_volt);
    const auto agreement = compare_currents(
        direct_currents(tile.g_siemens, tile.wires, tile.inputs_volt), reference.currents_ampere);
    EXPECT_LE(agreement.max_relative, DirectSolver::tolerance_relative)
        << "seed " << seed << " wires " << tile.wires.r_row_ohm << " " << tile.wires.r_col_ohm
        << " " << tile.wires.r_source_ohm << " " << tile.wires.r_sense_ohm;
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, DirectSolverAgainstReference,
                         ::testing::Values(Shape{1, 1}, Shape{1, 9}, Shape{9, 1}, Shape{5, 7},
                                           Shape{16, 16}, Shape{24, 11}));

TEST(DirectSolver, EveryCombinationOfIdealConnectionsAgrees) {
  const auto tile = testing::random_tile(42, 6, 5, 2);
  for (int mask = 0; mask < 16; ++mask) {
    const WireResistances wires{(mask & 1) != 0 ? 0.0 : 3.0, (mask & 2) != 0 ? 0.0 : 4.0,
                                (mask & 4) != 0 ? 0.0 : 50.0, (mask & 8) != 0 ? 0.0 : 20.0};
    const auto reference =
        testing::reference_tile_solution(tile.g_siemens, wires, tile.inputs_volt);
    const auto agreement = compare_currents(
        direct_currents(tile.g_siemens, wires, tile.inputs_volt), reference.currents_ampere);
    EXPECT_LE(agreement.max_relative, DirectSolver::tolerance_relative) << "mask " << mask;
  }
}

TEST(DirectSolver, WithoutParasiticsEqualsTheIdealProduct) {
  const auto tile = testing::random_tile(3, 12, 10, 4);
  const CrossbarTile ideal_tile(tile.g_siemens, {});
  const auto agreement = compare_currents(direct_currents(tile.g_siemens, {}, tile.inputs_volt),
                                          ideal_output_currents(ideal_tile, tile.inputs_volt));
  EXPECT_LE(agreement.max_relative, 1e-14);
}

TEST(DirectSolver, ExtremeConductanceRatiosStayWithinTolerance) {
  // Wires of 10 ohm against 1 Mohm devices, and 0.1 ohm wires against 1 kohm devices,
  // with the conductances spanning three decades inside one tile.
  for (const double wire_ohm : {0.1, 10.0}) {
    auto tile = testing::random_tile(11, 20, 20, 2);
    for (Eigen::Index i = 0; i < 20; ++i) tile.g_siemens(i, i) = (i % 2 == 0) ? 1e-6 : 1e-3;
    const WireResistances wires{wire_ohm, wire_ohm, wire_ohm, wire_ohm};
    const auto reference =
        testing::reference_tile_solution(tile.g_siemens, wires, tile.inputs_volt);
    EXPECT_LE(compare_currents(direct_currents(tile.g_siemens, wires, tile.inputs_volt),
                               reference.currents_ampere)
                  .max_relative,
              DirectSolver::tolerance_relative);
  }
}

TEST(DirectSolver, NodeVoltagesMatchTheReferenceAndShowTheIrDrop) {
  auto tile = testing::random_tile(5, 8, 6, 1);
  tile.inputs_volt.setConstant(0.5);
  const WireResistances wires{5.0, 5.0, 10.0, 10.0};
  const auto reference = testing::reference_tile_solution(tile.g_siemens, wires, tile.inputs_volt);
  const DirectSolver solver(TileNetwork(CrossbarTile(tile.g_siemens, wires)));
  const auto voltages = solver.node_voltages(tile.inputs_volt.row(0).transpose());
  EXPECT_LE((voltages.row_volt - reference.row_volt_sample0).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LE((voltages.column_volt - reference.column_volt_sample0).cwiseAbs().maxCoeff(), 1e-12);
  // Current flows away from the drivers: row voltages fall along each word line.
  for (Eigen::Index j = 1; j < 6; ++j)
    EXPECT_LT(voltages.row_volt(0, j), voltages.row_volt(0, j - 1));
}

TEST(DirectSolver, ManyInputVectorsAreSolvedInBlocksWithTheSameResult) {
  const auto tile = testing::random_tile(8, 4, 3, 600);
  const WireResistances wires{1.0, 1.0, 1.0, 1.0};
  const DirectSolver solver(TileNetwork(CrossbarTile(tile.g_siemens, wires)));
  const Eigen::MatrixXd all = solver.output_currents(tile.inputs_volt);
  for (const Eigen::Index k :
       {Eigen::Index{0}, Eigen::Index{255}, Eigen::Index{256}, Eigen::Index{599}}) {
    const Eigen::MatrixXd one = solver.output_currents(tile.inputs_volt.row(k));
    EXPECT_LE((one.row(0) - all.row(k)).cwiseAbs().maxCoeff(), 1e-18);
  }
}

}  // namespace
}  // namespace imcosim::solver
