#include "nodal_system.hpp"

namespace imcosim::solver {

namespace {

using Triplet = Eigen::Triplet<double, Eigen::Index>;

NodalSystem::SparseMatrix build(Eigen::Index rows, Eigen::Index cols,
                                const std::vector<Triplet>& entries) {
  NodalSystem::SparseMatrix matrix(rows, cols);
  matrix.setFromTriplets(entries.begin(), entries.end());
  return matrix;
}

}  // namespace

NodalSystem::NodalSystem(const circuit::TileNetwork& network)
    : input_count_(network.input_count()), output_count_(network.output_count()) {
  const auto node_count = network.node_count();
  roles_.assign(static_cast<std::size_t>(node_count), {NodeRole::Kind::unknown, 0});
  for (const auto& drive : network.drives()) {
    roles_[static_cast<std::size_t>(drive.node)] = {NodeRole::Kind::driven, drive.input};
  }
  for (const auto& sense : network.senses()) {
    roles_[static_cast<std::size_t>(sense.node)] = {NodeRole::Kind::sensed, sense.output};
  }
  labels_.reserve(static_cast<std::size_t>(node_count));
  for (circuit::TileNetwork::NodeIndex node = 0; node < node_count; ++node) {
    labels_.push_back(network.label(node));
  }
  for (auto& role : roles_) {
    if (role.kind == NodeRole::Kind::unknown) {
      role.index = unknown_count_++;
    }
  }

  // Stamp every resistor into A, B, C_u and C_in.
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
    const auto& role_a = roles_[static_cast<std::size_t>(resistor.a)];
    const auto& role_b = roles_[static_cast<std::size_t>(resistor.b)];
    stamp_end(role_a, role_b, resistor.g_siemens);
    stamp_end(role_b, role_a, resistor.g_siemens);
  }
  conductance_ = build(unknown_count_, unknown_count_, a_entries);
  to_unknowns_ = build(unknown_count_, input_count_, b_entries);
  currents_from_unknowns_ = build(output_count_, unknown_count_, cu_entries);
  currents_from_inputs_ = build(output_count_, input_count_, cin_entries);
}

TileNodeVoltages NodalSystem::node_voltages(const Eigen::VectorXd& unknowns_volt,
                                            const Eigen::VectorXd& input_volt) const {
  TileNodeVoltages voltages{Eigen::MatrixXd::Zero(input_count_, output_count_),
                            Eigen::MatrixXd::Zero(input_count_, output_count_)};
  for (std::size_t node = 0; node < roles_.size(); ++node) {
    const auto& role = roles_[node];
    double volt = 0.0;
    if (role.kind == NodeRole::Kind::unknown) {
      volt = unknowns_volt(role.index);
    } else if (role.kind == NodeRole::Kind::driven) {
      volt = input_volt(role.index);
    }
    const auto& label = labels_[node];
    if (label.kind == circuit::TileNetwork::NodeKind::row) {
      auto line = voltages.row_volt.row(label.i);
      if (label.j < 0) {
        line.setConstant(volt);
      } else {
        line(label.j) = volt;
      }
    } else if (label.kind == circuit::TileNetwork::NodeKind::column) {
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
