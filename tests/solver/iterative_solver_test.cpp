#include "imcosim/solver/iterative_solver.hpp"

#include <gtest/gtest.h>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/agreement.hpp"
#include "imcosim/solver/direct_solver.hpp"
#include "imcosim/solver/error.hpp"
#include "support/reference_tile_solution.hpp"

namespace imcosim::solver {
namespace {

using circuit::CrossbarTile;
using circuit::WireResistances;

TEST(IterativeSolver, ReportsIterationsAndAResidualWithinTheTolerance) {
  const auto tile = testing::random_tile(17, 20, 30, 5);
  const CrossbarTile crossbar(tile.g_siemens, WireResistances{1.0, 1.0, 10.0, 10.0});
  const auto solution = IterativeSolver(crossbar).solve(tile.inputs_volt);
  ASSERT_EQ(solution.iterations.size(), 5);
  ASSERT_EQ(solution.residual_relative.size(), 5);
  EXPECT_GT(solution.iterations.minCoeff(), 0);
  EXPECT_LE(solution.residual_relative.maxCoeff(), IterativeSolver::tolerance_relative);
}

TEST(IterativeSolver, AnIterationLimitItCannotMeetThrows) {
  const auto tile = testing::random_tile(18, 24, 24, 2);
  const CrossbarTile crossbar(tile.g_siemens, WireResistances{1.0, 1.0, 10.0, 10.0});
  const IterativeSolver solver(crossbar, IterativeOptions{.max_iterations = 1});
  EXPECT_THROW((void)solver.solve(tile.inputs_volt), SolverError);
  try {
    (void)solver.solve(tile.inputs_volt);
  } catch (const SolverError& error) {
    EXPECT_NE(std::string(error.what()).find("did not converge"), std::string::npos);
  }
}

TEST(IterativeSolver, RejectsOptionsItCannotHonour) {
  const auto tile = testing::random_tile(22, 3, 3, 1);
  const CrossbarTile crossbar(tile.g_siemens, WireResistances{1.0, 1.0, 10.0, 10.0});
  EXPECT_THROW(IterativeSolver(crossbar, IterativeOptions{.max_iterations = 0}), SolverError);
  EXPECT_THROW(IterativeSolver(crossbar, IterativeOptions{.stop_relative = 0.0}), SolverError);
  EXPECT_THROW(IterativeSolver(crossbar, IterativeOptions{.stop_relative = 1e-6}), SolverError);
}

TEST(IterativeSolver, ZeroInputsGiveZeroCurrentsWithoutIterating) {
  const auto tile = testing::random_tile(19, 6, 9, 1);
  const CrossbarTile crossbar(tile.g_siemens, WireResistances{1.0, 1.0, 10.0, 10.0});
  const auto solution = IterativeSolver(crossbar).solve(Eigen::MatrixXd::Zero(3, 6));
  EXPECT_EQ(solution.currents_ampere.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(solution.iterations.maxCoeff(), 0);
}

TEST(IterativeSolver, ManyInputVectorsInParallelMatchOneAtATime) {
  const auto tile = testing::random_tile(20, 16, 12, 9);
  const CrossbarTile crossbar(tile.g_siemens, WireResistances{0.5, 2.0, 5.0, 5.0});
  const IterativeSolver solver(crossbar);
  const auto batch = solver.solve(tile.inputs_volt).currents_ampere;
  for (Eigen::Index k = 0; k < tile.inputs_volt.rows(); ++k) {
    const auto single = solver.solve(tile.inputs_volt.row(k)).currents_ampere;
    EXPECT_LE(compare_currents(single, batch.row(k)).max_relative, 1e-12) << "sample " << k;
  }
}

TEST(IterativeSolver, TheHarshestRealisticRatioConverges) {
  // 10 ohm wires against 1 kOhm devices on every cell: a strong IR drop, slow line coupling.
  const Eigen::Index m = 64;
  const Eigen::Index n = 64;
  const Eigen::MatrixXd g = Eigen::MatrixXd::Constant(m, n, 1e-3);
  const WireResistances wires{10.0, 10.0, 100.0, 100.0};
  const auto inputs = testing::random_tile(21, m, n, 2).inputs_volt;
  const CrossbarTile crossbar(g, wires);
  const auto direct = DirectSolver(circuit::TileNetwork(crossbar)).output_currents(inputs);
  const auto solution = IterativeSolver(crossbar).solve(inputs);
  EXPECT_LE(compare_currents(solution.currents_ampere, direct).max_relative,
            IterativeSolver::tolerance_relative);
}

}  // namespace
}  // namespace imcosim::solver
