#include "imcosim/solver/direct_solver.hpp"

#include <Eigen/CholmodSupport>
#include <Eigen/SparseCore>
#include <algorithm>
#include <vector>

#include "imcosim/solver/error.hpp"

namespace imcosim::solver {

namespace {

using circuit::TileNetwork;
using SparseMatrix = Eigen::SparseMatrix<double>;
using Triplet = Eigen::Triplet<double, Eigen::Index>;

// How a node of the network enters the nodal system.
struct NodeRole {
  enum class Kind { unknown, driven, sensed } kind;
  Eigen::Index index;  // unknown number, input number, or output number
};

// Solving K right-hand sides at once bounds the dense work space to unknowns x block.
constexpr Eigen::Index right_hand_side_block = 256;

}  // namespace

// Nodal equations A v_u = B v_in with A = conductance matrix of the unknown nodes (SPD),
// B = conductances from unknown nodes to the driven nodes. Output currents are
// i_out = C_u v_u + C_in v_in, summing g * v over the resistors that end at each virtual
// ground (held at 0 V, so only the far end's voltage counts).
struct DirectSolver::Factorisation {
  Eigen::CholmodSupernodalLLT<SparseMatrix> cholesky;
  SparseMatrix to_unknowns;             // B: unknowns x inputs
  SparseMatrix currents_from_unknowns;  // C_u: outputs x unknowns
  SparseMatrix currents_from_inputs;    // C_in: outputs x inputs
  std::vector<NodeRole> roles;
  std::vector<TileNetwork::NodeLabel> labels;  // where each node sits, for node_voltages()
  Eigen::Index input_count = 0;
  Eigen::Index output_count = 0;
  Eigen::Index unknown_count = 0;
};

DirectSolver::DirectSolver(const TileNetwork& network)
    : factorisation_(std::make_unique<Factorisation>()) {
  auto& f = *factorisation_;
  f.input_count = network.input_count();
  f.output_count = network.output_count();
  const auto node_count = network.node_count();
  f.roles.assign(static_cast<std::size_t>(node_count), {NodeRole::Kind::unknown, 0});
  for (const auto& drive : network.drives()) {
    f.roles[static_cast<std::size_t>(drive.node)] = {NodeRole::Kind::driven, drive.input};
  }
  for (const auto& sense : network.senses()) {
    f.roles[static_cast<std::size_t>(sense.node)] = {NodeRole::Kind::sensed, sense.output};
  }
  f.labels.reserve(static_cast<std::size_t>(node_count));
  for (TileNetwork::NodeIndex node = 0; node < node_count; ++node) {
    f.labels.push_back(network.label(node));
  }
  for (auto& role : f.roles) {
    if (role.kind == NodeRole::Kind::unknown) {
      role.index = f.unknown_count++;
    }
  }

  // 1. Stamp every resistor into A, B, C_u and C_in.
  std::vector<Triplet> a_entries;
  std::vector<Triplet> b_entries;
  std::vector<Triplet> cu_entries;
  std::vector<Triplet> cin_entries;
  a_entries.reserve(4 * network.resistors().size());
  const auto stamp_end = [&](const NodeRole& self, const NodeRole& other, double g) {
    switch (self.kind) {
      case NodeRole::Kind::unknown:
        a_entries.emplace_back(self.index, self.index, g);
        if (other.kind == NodeRole::Kind::unknown) {
          a_entries.emplace_back(self.index, other.index, -g);
        } else if (other.kind == NodeRole::Kind::driven) {
          b_entries.emplace_back(self.index, other.index, g);
        }
        break;
      case NodeRole::Kind::sensed:
        if (other.kind == NodeRole::Kind::unknown) {
          cu_entries.emplace_back(self.index, other.index, g);
        } else if (other.kind == NodeRole::Kind::driven) {
          cin_entries.emplace_back(self.index, other.index, g);
        }
        break;
      case NodeRole::Kind::driven:
        break;
    }
  };
  for (const auto& resistor : network.resistors()) {
    const auto& role_a = f.roles[static_cast<std::size_t>(resistor.a)];
    const auto& role_b = f.roles[static_cast<std::size_t>(resistor.b)];
    stamp_end(role_a, role_b, resistor.g_siemens);
    stamp_end(role_b, role_a, resistor.g_siemens);
  }
  const auto build = [](Eigen::Index rows, Eigen::Index cols, const std::vector<Triplet>& entries) {
    SparseMatrix matrix(rows, cols);
    matrix.setFromTriplets(entries.begin(), entries.end());
    return matrix;
  };
  const Eigen::Index inputs = network.input_count();
  const Eigen::Index outputs = network.output_count();
  f.to_unknowns = build(f.unknown_count, inputs, b_entries);
  f.currents_from_unknowns = build(outputs, f.unknown_count, cu_entries);
  f.currents_from_inputs = build(outputs, inputs, cin_entries);

  // 2. Analyse the pattern (fill-reducing ordering) and factorise A = L L^T.
  if (f.unknown_count > 0) {
    const SparseMatrix a = build(f.unknown_count, f.unknown_count, a_entries);
    f.cholesky.compute(a);
    if (f.cholesky.info() != Eigen::Success) {
      throw SolverError("direct solver: CHOLMOD could not factorise the " +
                        std::to_string(f.unknown_count) +
                        "-node conductance matrix (not positive definite or out of memory)");
    }
  }
}

DirectSolver::~DirectSolver() = default;
DirectSolver::DirectSolver(DirectSolver&&) noexcept = default;
DirectSolver& DirectSolver::operator=(DirectSolver&&) noexcept = default;

Eigen::Index DirectSolver::unknown_count() const noexcept { return factorisation_->unknown_count; }

Eigen::MatrixXd DirectSolver::output_currents(const Eigen::MatrixXd& inputs_volt) const {
  const auto& f = *factorisation_;
  const Eigen::Index samples = inputs_volt.rows();
  Eigen::MatrixXd currents(samples, f.output_count);
  for (Eigen::Index first = 0; first < samples; first += right_hand_side_block) {
    const Eigen::Index count = std::min(right_hand_side_block, samples - first);
    const Eigen::MatrixXd inputs_block = inputs_volt.middleRows(first, count).transpose();
    Eigen::MatrixXd block = f.currents_from_inputs * inputs_block;
    if (f.unknown_count > 0) {
      const Eigen::MatrixXd unknowns = f.cholesky.solve(f.to_unknowns * inputs_block);
      block += f.currents_from_unknowns * unknowns;
    }
    currents.middleRows(first, count) = block.transpose();
  }
  return currents;
}

TileNodeVoltages DirectSolver::node_voltages(const Eigen::VectorXd& input_volt) const {
  const auto& f = *factorisation_;
  Eigen::VectorXd unknowns;
  if (f.unknown_count > 0) {
    unknowns = f.cholesky.solve(Eigen::VectorXd(f.to_unknowns * input_volt));
  }
  const auto m = f.input_count;
  const auto n = f.output_count;
  TileNodeVoltages voltages{Eigen::MatrixXd::Zero(m, n), Eigen::MatrixXd::Zero(m, n)};
  for (std::size_t node = 0; node < f.roles.size(); ++node) {
    const auto& role = f.roles[node];
    double volt = 0.0;
    if (role.kind == NodeRole::Kind::unknown) {
      volt = unknowns(role.index);
    } else if (role.kind == NodeRole::Kind::driven) {
      volt = input_volt(role.index);
    }
    const auto& label = f.labels[node];
    if (label.kind == TileNetwork::NodeKind::row) {
      auto line = voltages.row_volt.row(label.i);
      if (label.j < 0) {
        line.setConstant(volt);
      } else {
        line(label.j) = volt;
      }
    } else if (label.kind == TileNetwork::NodeKind::column) {
      auto line = voltages.column_volt.col(label.j);
      if (label.i < 0) {
        line.setConstant(volt);
      } else {
        line(label.i) = volt;
      }
    }
  }
  return voltages;
}

}  // namespace imcosim::solver
