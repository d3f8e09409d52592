#pragma once

#include <Eigen/Core>
#include <memory>

#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/solver/node_voltages.hpp"

namespace imcosim::solver {

struct IterativeOptions {
  // Conjugate gradients stop when the summed Kirchhoff current imbalance over all free nodes
  // (the residual, amperes) falls below stop_relative x the largest output current.
  double stop_relative = 1e-10;
  // Conjugate-gradient iterations allowed per input vector, over all refinement passes.
  Eigen::Index max_iterations = 10000;
};

// One solve's outcome for every input vector.
struct IterativeSolution {
  Eigen::MatrixXd currents_ampere;    // K x N
  Eigen::VectorXi iterations;         // K: conjugate-gradient iterations
  Eigen::VectorXd residual_relative;  // K: final true residual sum |r| / max |I_out|
};

// Matrix-free exact solver for tiles too large to factorise: O(MN) memory. The row nodes are
// eliminated exactly, line by line (every row line is a tridiagonal chain: Thomas algorithm),
// and the remaining Schur complement on the column nodes, S = A_CC - E^T A_RR^{-1} E (SPD), is
// solved by conjugate gradients preconditioned with the exact column-line solves A_CC^{-1} —
// a symmetric line Gauss–Seidel over rows and columns in effect. Kernels run on every OpenMP
// thread for one input vector; several input vectors run in parallel, one per thread.
//
// Exactness: the residual r = b - A x at a node is the Kirchhoff current imbalance there.
// The error of the solution is the network's response to currents -r injected at the free
// nodes, and in a passive resistive network an injected current divides among the held nodes
// (drivers and virtual grounds) in non-negative fractions summing to 1, so every output
// current is off by at most sum |r|. The solver therefore accepts a solution when the true
// residual, recomputed branch by branch, satisfies sum |r| <= tolerance_relative x max |I_out|.
// On large or low-resistance tiles merely rounding the node voltages to double precision
// leaves a residual sum above that bound; then it refines — conjugate gradients again from
// the true residual, applying exactly the correction that residual implies — and accepts when
// a pass changed no output current by more than tolerance_relative / 10 of the largest one.
// The bound that then holds is the final residual_relative itself (4e-9 to 2e-8 at 2048 x 2048),
// which `imcosim solve` records as the result's tolerance; the error measured against direct
// there is far smaller (docs/solvers.md).
// It throws SolverError when that takes more than max_iterations or 4 refinement passes.
class IterativeSolver {
 public:
  static constexpr double tolerance_relative = 1e-9;

  explicit IterativeSolver(const circuit::CrossbarTile& tile, IterativeOptions options = {});
  ~IterativeSolver();
  IterativeSolver(IterativeSolver&&) noexcept;
  IterativeSolver& operator=(IterativeSolver&&) noexcept;

  // Output currents, iterations and residuals for input vectors given as rows of
  // `inputs_volt` (K x M).
  [[nodiscard]] IterativeSolution solve(const Eigen::MatrixXd& inputs_volt) const;

  // Every row and column node voltage for one input vector (M entries, volts).
  [[nodiscard]] TileNodeVoltages node_voltages(const Eigen::VectorXd& input_volt) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace imcosim::solver
