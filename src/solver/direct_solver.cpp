#include "imcosim/solver/direct_solver.hpp"

#include <algorithm>

#include "cholesky_factor.hpp"
#include "nodal_system.hpp"

namespace imcosim::solver {

namespace {

// Input vectors per block: bounds the dense work space to unknowns x block.
constexpr Eigen::Index input_block = 1024;

}  // namespace

struct DirectSolver::Factorisation {
  explicit Factorisation(const circuit::TileNetwork& network)
      : system(network), cholesky(system.conductance()) {}
  NodalSystem system;
  CholeskyFactor cholesky;
};

DirectSolver::DirectSolver(const circuit::TileNetwork& network)
    : factorisation_(std::make_unique<Factorisation>(network)) {}

DirectSolver::~DirectSolver() = default;
DirectSolver::DirectSolver(DirectSolver&&) noexcept = default;
DirectSolver& DirectSolver::operator=(DirectSolver&&) noexcept = default;

Eigen::Index DirectSolver::unknown_count() const noexcept {
  return factorisation_->system.unknown_count();
}

Eigen::MatrixXd DirectSolver::output_currents(const Eigen::MatrixXd& inputs_volt) const {
  const auto& system = factorisation_->system;
  const Eigen::Index samples = inputs_volt.rows();
  Eigen::MatrixXd currents(samples, system.output_count());
  for (Eigen::Index first = 0; first < samples; first += input_block) {
    const Eigen::Index count = std::min(input_block, samples - first);
    const Eigen::MatrixXd inputs_block = inputs_volt.middleRows(first, count).transpose();
    Eigen::MatrixXd block = system.currents_from_inputs() * inputs_block;
    if (system.unknown_count() > 0) {
      const Eigen::MatrixXd unknowns =
          factorisation_->cholesky.solve(system.to_unknowns() * inputs_block);
      block += system.currents_from_unknowns() * unknowns;
    }
    currents.middleRows(first, count) = block.transpose();
  }
  return currents;
}

TileNodeVoltages DirectSolver::node_voltages(const Eigen::VectorXd& input_volt) const {
  const auto& system = factorisation_->system;
  Eigen::VectorXd unknowns(system.unknown_count());
  if (system.unknown_count() > 0) {
    unknowns = factorisation_->cholesky.solve(system.to_unknowns() * input_volt);
  }
  return system.node_voltages(unknowns, input_volt);
}

}  // namespace imcosim::solver
