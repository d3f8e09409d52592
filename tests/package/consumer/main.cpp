// Uses the installed imcosim as any C++ project would: a 16 x 8 tile with wire resistances,
// solved by the direct (reference) and the transfer method, and the ideal product of the same
// tile without wires. Exits 1 unless each agrees with what it must agree with.
#include <Eigen/Core>
#include <cmath>
#include <cstdio>
#include <imcosim/circuit/crossbar_tile.hpp>
#include <imcosim/solver/tile_solver.hpp>
#include <imcosim/version.hpp>

int main() {
  constexpr Eigen::Index rows = 16;
  constexpr Eigen::Index cols = 8;
  Eigen::MatrixXd conductance_siemens(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      conductance_siemens(i, j) = 1e-5 * static_cast<double>(1 + (3 * i + 5 * j) % 11);
    }
  }
  Eigen::MatrixXd inputs_volt(2, rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    inputs_volt(0, i) = 0.1 * static_cast<double>(i % 5) - 0.2;
    inputs_volt(1, i) = 0.05 * static_cast<double>(i % 3);
  }
  using imcosim::solver::SolverMethod;
  const imcosim::circuit::CrossbarTile wired(conductance_siemens,
                                             {.r_row_ohm = 2.0, .r_col_ohm = 3.0});
  const auto direct = imcosim::solver::make_tile_solver(SolverMethod::direct, wired)
                          ->solve(inputs_volt)
                          .currents_ampere;
  const auto transfer = imcosim::solver::make_tile_solver(SolverMethod::transfer, wired)
                            ->solve(inputs_volt)
                            .currents_ampere;
  const imcosim::circuit::CrossbarTile ideal_tile(conductance_siemens, {});
  const auto direct_without_wires =
      imcosim::solver::make_tile_solver(SolverMethod::direct, ideal_tile)
          ->solve(inputs_volt)
          .currents_ampere;
  const Eigen::MatrixXd product = inputs_volt * conductance_siemens;

  const double scale = direct.cwiseAbs().maxCoeff();
  const double transfer_error = (transfer - direct).cwiseAbs().maxCoeff() / scale;
  const double ideal_error =
      (direct_without_wires - product).cwiseAbs().maxCoeff() / product.cwiseAbs().maxCoeff();
  const double wire_effect = (direct - product).cwiseAbs().maxCoeff() / scale;
  std::printf("imcosim %s: transfer vs direct %.2e, no-wire direct vs G^T V %.2e, wires %.2e\n",
              imcosim::version_string, transfer_error, ideal_error, wire_effect);
  const bool agreed = transfer_error <= 1e-9 && ideal_error <= 1e-12 && wire_effect > 1e-6;
  return agreed ? 0 : 1;
}
