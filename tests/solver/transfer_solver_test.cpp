#include "imcosim/solver/transfer_solver.hpp"

#include <gtest/gtest.h>

#include "imcosim/solver/agreement.hpp"
#include "support/reference_tile_solution.hpp"

namespace imcosim::solver {
namespace {

using circuit::CrossbarTile;
using circuit::TileNetwork;
using circuit::WireResistances;

TEST(TransferSolver, TheTransferMatrixMapsUnitInputsToReferenceCurrents) {
  // Both extraction paths: M <= N solves for the inputs, M > N for the outputs (adjoint).
  for (const auto& [m, n] : {std::pair<Eigen::Index, Eigen::Index>{5, 9}, {9, 5}}) {
    const auto tile = testing::random_tile(31 + static_cast<std::uint64_t>(m), m, n, 1);
    const WireResistances wires{2.0, 3.0, 40.0, 15.0};
    const TransferSolver solver(TileNetwork(CrossbarTile(tile.g_siemens, wires)));
    const Eigen::MatrixXd unit = Eigen::MatrixXd::Identity(m, m);
    const auto reference = testing::reference_tile_solution(tile.g_siemens, wires, unit);
    ASSERT_EQ(solver.transfer_siemens().rows(), n);
    ASSERT_EQ(solver.transfer_siemens().cols(), m);
    EXPECT_LE(compare_currents(solver.transfer_siemens().transpose(), reference.currents_ampere)
                  .max_relative,
              TransferSolver::tolerance_relative);
  }
}

TEST(TransferSolver, PortAdmittanceIsSymmetricConservesCurrentAndContainsTheTransfer) {
  for (int mask = 0; mask < 16; ++mask) {
    const auto tile = testing::random_tile(77, 6, 4, 1);
    const WireResistances wires{(mask & 1) != 0 ? 0.0 : 3.0, (mask & 2) != 0 ? 0.0 : 4.0,
                                (mask & 4) != 0 ? 0.0 : 50.0, (mask & 8) != 0 ? 0.0 : 20.0};
    const TransferSolver solver(TileNetwork(CrossbarTile(tile.g_siemens, wires)));
    const Eigen::MatrixXd y = solver.port_admittance_siemens();
    ASSERT_EQ(y.rows(), 10);
    const double scale = y.cwiseAbs().maxCoeff();
    // Reciprocal network: Y symmetric. Floating network: raising every port by 1 V draws no
    // current, so every row sums to zero.
    EXPECT_LE((y - y.transpose()).cwiseAbs().maxCoeff(), 1e-9 * scale) << "mask " << mask;
    EXPECT_LE(y.rowwise().sum().cwiseAbs().maxCoeff(), 1e-9 * scale) << "mask " << mask;
    EXPECT_LE((-y.bottomLeftCorner(4, 6) - solver.transfer_siemens()).cwiseAbs().maxCoeff(),
              1e-9 * solver.transfer_siemens().cwiseAbs().maxCoeff())
        << "mask " << mask;
  }
}

}  // namespace
}  // namespace imcosim::solver
