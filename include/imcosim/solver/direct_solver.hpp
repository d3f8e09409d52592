#pragma once

#include <Eigen/Core>
#include <memory>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/node_voltages.hpp"

namespace imcosim::solver {

// The exact reference: nodal analysis of the tile network, solved by a sparse Cholesky
// factorisation (CHOLMOD, supernodal). Nodes held by an ideal source — drivers and sense
// virtual grounds — are eliminated, so the remaining conductance matrix is symmetric positive
// definite for every valid tile (each node reaches a held node through positive
// conductances). The pattern is analysed and factorised once at construction; every solve
// reuses the factor for any number of input vectors.
class DirectSolver {
 public:
  // Agreement with an independent exact solution, relative to the largest output current.
  static constexpr double tolerance_relative = 1e-9;

  explicit DirectSolver(const circuit::TileNetwork& network);
  ~DirectSolver();
  DirectSolver(DirectSolver&&) noexcept;
  DirectSolver& operator=(DirectSolver&&) noexcept;

  // Output currents (K x N, amperes) for input vectors given as rows of `inputs_volt` (K x M).
  [[nodiscard]] Eigen::MatrixXd output_currents(const Eigen::MatrixXd& inputs_volt) const;

  // Every row and column node voltage for one input vector (M entries, volts).
  [[nodiscard]] TileNodeVoltages node_voltages(const Eigen::VectorXd& input_volt) const;

  // Number of unknowns in the factorised system.
  [[nodiscard]] Eigen::Index unknown_count() const noexcept;

 private:
  struct Factorisation;
  std::unique_ptr<Factorisation> factorisation_;
};

}  // namespace imcosim::solver
