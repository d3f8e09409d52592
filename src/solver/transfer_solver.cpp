#include "imcosim/solver/transfer_solver.hpp"

#include "cholesky_factor.hpp"
#include "nodal_system.hpp"

namespace imcosim::solver {

namespace {

using SparseMatrix = NodalSystem::SparseMatrix;

// The unknowns that touch a port: driven through B or sensed through C_u. Ordered last in the
// factorisation, their trailing factor block is the Schur complement of the whole interior.
std::vector<int> port_unknowns(const NodalSystem& system) {
  std::vector<bool> touches(static_cast<std::size_t>(system.unknown_count()), false);
  const SparseMatrix& b = system.to_unknowns();
  for (Eigen::Index q = 0; q < b.outerSize(); ++q) {
    for (SparseMatrix::InnerIterator it(b, q); it; ++it) {
      touches[static_cast<std::size_t>(it.row())] = true;
    }
  }
  const SparseMatrix& cu = system.currents_from_unknowns();
  for (Eigen::Index q = 0; q < cu.outerSize(); ++q) {
    for (SparseMatrix::InnerIterator it(cu, q); it; ++it) {
      touches[static_cast<std::size_t>(it.col())] = true;
    }
  }
  std::vector<int> unknowns;
  for (std::size_t u = 0; u < touches.size(); ++u) {
    if (touches[u]) {
      unknowns.push_back(static_cast<int>(u));
    }
  }
  // With r_source = r_row = 0 every column node touches a driver: the Schur complement would
  // be the whole system, so fall back to solving right-hand sides.
  const auto ports = static_cast<std::size_t>(2 * (system.input_count() + system.output_count()));
  return unknowns.size() <= ports ? unknowns : std::vector<int>{};
}

// Rows `unknowns` of `matrix` (unknowns x k), dense.
Eigen::MatrixXd restrict_rows(const SparseMatrix& matrix, const std::vector<int>& unknowns) {
  std::vector<Eigen::Index> position(static_cast<std::size_t>(matrix.rows()), -1);
  for (std::size_t p = 0; p < unknowns.size(); ++p) {
    position[static_cast<std::size_t>(unknowns[p])] = static_cast<Eigen::Index>(p);
  }
  Eigen::MatrixXd restricted =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(unknowns.size()), matrix.cols());
  for (Eigen::Index q = 0; q < matrix.outerSize(); ++q) {
    for (SparseMatrix::InnerIterator it(matrix, q); it; ++it) {
      restricted(position[static_cast<std::size_t>(it.row())], q) = it.value();
    }
  }
  return restricted;
}

}  // namespace

struct TransferSolver::Extraction {
  explicit Extraction(const circuit::TileNetwork& network)
      : system(network),
        cholesky(system.conductance(), port_unknowns(system)),
        schur(cholesky.trailing_block()) {}

  // left^T A^{-1} right for `left` and `right` (unknowns x k) supported on the port unknowns:
  // from the Schur complement S = L_PP L_PP^T when the factor has it, (L_PP^{-1} left_P)^T
  // (L_PP^{-1} right_P) — dense and small; otherwise by solving right's columns.
  [[nodiscard]] Eigen::MatrixXd inverse_product(const SparseMatrix& left,
                                                const SparseMatrix& right) const {
    if (schur.unknowns.empty()) {
      const SparseMatrix left_transposed = left.transpose();
      return cholesky.sandwich(left_transposed, right);
    }
    const auto lower = schur.lower.triangularView<Eigen::Lower>();
    const Eigen::MatrixXd left_part = lower.solve(restrict_rows(left, schur.unknowns));
    const Eigen::MatrixXd right_part = lower.solve(restrict_rows(right, schur.unknowns));
    return left_part.transpose() * right_part;
  }

  NodalSystem system;
  CholeskyFactor cholesky;
  CholeskyFactor::TrailingBlock schur;
  Eigen::MatrixXd transfer_siemens;             // N x M
  Eigen::MatrixXd transfer_transposed_siemens;  // M x N: a plain product for the batches
};

TransferSolver::TransferSolver(const circuit::TileNetwork& network)
    : extraction_(std::make_unique<Extraction>(network)) {
  auto& e = *extraction_;
  const auto& system = e.system;
  e.transfer_siemens = Eigen::MatrixXd(system.currents_from_inputs());
  if (system.unknown_count() > 0) {
    // T = C_in + C_u A^{-1} B. A is symmetric, so without the Schur complement the side with
    // fewer columns is solved: B's M columns, or C_u^T's N columns (the adjoint).
    const SparseMatrix cu_transposed = system.currents_from_unknowns().transpose();
    if (system.input_count() <= system.output_count() || !e.schur.unknowns.empty()) {
      e.transfer_siemens += e.inverse_product(cu_transposed, system.to_unknowns());
    } else {
      e.transfer_siemens += e.inverse_product(system.to_unknowns(), cu_transposed).transpose();
    }
  }
  e.transfer_transposed_siemens = e.transfer_siemens.transpose();
}

TransferSolver::~TransferSolver() = default;
TransferSolver::TransferSolver(TransferSolver&&) noexcept = default;
TransferSolver& TransferSolver::operator=(TransferSolver&&) noexcept = default;

const Eigen::MatrixXd& TransferSolver::transfer_siemens() const noexcept {
  return extraction_->transfer_siemens;
}

Eigen::MatrixXd TransferSolver::output_currents(const Eigen::MatrixXd& inputs_volt) const {
  return inputs_volt * extraction_->transfer_transposed_siemens;
}

TileNodeVoltages TransferSolver::node_voltages(const Eigen::VectorXd& input_volt) const {
  const auto& system = extraction_->system;
  Eigen::VectorXd unknowns(system.unknown_count());
  if (system.unknown_count() > 0) {
    unknowns = extraction_->cholesky.solve(system.to_unknowns() * input_volt);
  }
  return system.node_voltages(unknowns, input_volt);
}

Eigen::MatrixXd TransferSolver::port_admittance_siemens() const {
  const auto& system = extraction_->system;
  const Eigen::Index m = system.input_count();
  const Eigen::Index n = system.output_count();
  // Port-to-unknown conductances P = [B, C_u^T]; Y = G_ports - P^T A^{-1} P, where G_ports holds
  // each port's total conductance on its diagonal and the direct driver-sense conductances
  // (C_in) off it.
  NodalSystem::SparseMatrix ports(system.unknown_count(), m + n);
  {
    const NodalSystem::SparseMatrix cu_transposed = system.currents_from_unknowns().transpose();
    std::vector<Eigen::Triplet<double>> entries;
    for (Eigen::Index q = 0; q < m; ++q) {
      for (NodalSystem::SparseMatrix::InnerIterator it(system.to_unknowns(), q); it; ++it) {
        entries.emplace_back(static_cast<int>(it.row()), static_cast<int>(q), it.value());
      }
    }
    for (Eigen::Index q = 0; q < n; ++q) {
      for (NodalSystem::SparseMatrix::InnerIterator it(cu_transposed, q); it; ++it) {
        entries.emplace_back(static_cast<int>(it.row()), static_cast<int>(m + q), it.value());
      }
    }
    ports.setFromTriplets(entries.begin(), entries.end());
  }
  const Eigen::MatrixXd direct_inputs(system.currents_from_inputs());  // N x M
  Eigen::MatrixXd admittance = Eigen::MatrixXd::Zero(m + n, m + n);
  Eigen::VectorXd port_total = Eigen::VectorXd::Zero(m + n);
  for (Eigen::Index q = 0; q < m + n; ++q) {
    for (NodalSystem::SparseMatrix::InnerIterator it(ports, q); it; ++it) {
      port_total(q) += it.value();
    }
  }
  port_total.head(m) += direct_inputs.colwise().sum().transpose();
  port_total.tail(n) += direct_inputs.rowwise().sum();
  admittance.diagonal() = port_total;
  admittance.bottomLeftCorner(n, m) = -direct_inputs;
  admittance.topRightCorner(m, n) = -direct_inputs.transpose();
  if (system.unknown_count() > 0) {
    admittance -= extraction_->inverse_product(ports, ports);
  }
  return admittance;
}

}  // namespace imcosim::solver
