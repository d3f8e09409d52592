#pragma once

// An independent solution of the canonical crossbar tile for the tests: modified nodal
// analysis written straight from docs/design.md and solved densely by LU. A zero resistance
// becomes a 0 V source (a branch-current unknown) instead of a merged node, so this shares no
// code and no formulation with circuit::TileNetwork or solver::DirectSolver.
#include <Eigen/Dense>
#include <cstdint>
#include <random>

#include "imcosim/circuit/crossbar_tile.hpp"

namespace imcosim::testing {

struct ReferenceTileSolution {
  Eigen::MatrixXd currents_ampere;   // K x N
  Eigen::MatrixXd row_volt_sample0;  // M x N, node voltages for input vector 0
  Eigen::MatrixXd column_volt_sample0;
};

inline ReferenceTileSolution reference_tile_solution(const Eigen::MatrixXd& g_siemens,
                                                     const circuit::WireResistances& wires,
                                                     const Eigen::MatrixXd& inputs_volt) {
  const Eigen::Index m = g_siemens.rows();
  const Eigen::Index n = g_siemens.cols();
  const auto row = [n](Eigen::Index i, Eigen::Index j) { return i * n + j; };
  const auto col = [m, n](Eigen::Index i, Eigen::Index j) { return m * n + i * n + j; };
  const auto driver = [m, n](Eigen::Index i) { return 2 * m * n + i; };
  const auto ground_of = [m, n](Eigen::Index j) { return 2 * m * n + m + j; };
  const Eigen::Index nodes = 2 * m * n + m + n;

  struct Branch {
    Eigen::Index plus;
    Eigen::Index minus;  // -1: the reference node
  };
  std::vector<std::tuple<Eigen::Index, Eigen::Index, double>> resistors;
  std::vector<Branch> zero_volt_links;
  const auto connect = [&](Eigen::Index a, Eigen::Index b, double r_ohm) {
    if (r_ohm == 0.0) {
      zero_volt_links.push_back({a, b});
    } else {
      resistors.emplace_back(a, b, 1.0 / r_ohm);
    }
  };
  for (Eigen::Index i = 0; i < m; ++i) {
    connect(driver(i), row(i, 0), wires.r_source_ohm);
    for (Eigen::Index j = 0; j < n; ++j) {
      if (j + 1 < n) connect(row(i, j), row(i, j + 1), wires.r_row_ohm);
      if (i + 1 < m) connect(col(i, j), col(i + 1, j), wires.r_col_ohm);
      resistors.emplace_back(row(i, j), col(i, j), g_siemens(i, j));
    }
  }
  for (Eigen::Index j = 0; j < n; ++j) connect(col(m - 1, j), ground_of(j), wires.r_sense_ohm);

  // Unknowns: node voltages, then one current per input source, per sense ammeter, per link.
  const Eigen::Index links = static_cast<Eigen::Index>(zero_volt_links.size());
  const Eigen::Index size = nodes + m + n + links;
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(size, size);
  for (const auto& [p, q, g] : resistors) {
    a(p, p) += g;
    a(q, q) += g;
    a(p, q) -= g;
    a(q, p) -= g;
  }
  const auto stamp_source = [&](Eigen::Index branch, Eigen::Index plus, Eigen::Index minus) {
    a(plus, branch) += 1.0;
    a(branch, plus) += 1.0;
    if (minus >= 0) {
      a(minus, branch) -= 1.0;
      a(branch, minus) -= 1.0;
    }
  };
  for (Eigen::Index i = 0; i < m; ++i) stamp_source(nodes + i, driver(i), -1);
  for (Eigen::Index j = 0; j < n; ++j) stamp_source(nodes + m + j, ground_of(j), -1);
  for (Eigen::Index l = 0; l < links; ++l) {
    stamp_source(nodes + m + n + l, zero_volt_links[static_cast<std::size_t>(l)].plus,
                 zero_volt_links[static_cast<std::size_t>(l)].minus);
  }
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(a);

  ReferenceTileSolution solution;
  solution.currents_ampere.resize(inputs_volt.rows(), n);
  for (Eigen::Index k = 0; k < inputs_volt.rows(); ++k) {
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(size);
    rhs.segment(nodes, m) = inputs_volt.row(k).transpose();
    const Eigen::VectorXd x = lu.solve(rhs);
    // The ammeter's branch current flows from the virtual ground into the source: I_out.
    solution.currents_ampere.row(k) = x.segment(nodes + m, n).transpose();
    if (k == 0) {
      solution.row_volt_sample0 =
          Eigen::Map<const Eigen::Matrix<double, -1, -1, Eigen::RowMajor>>(x.data(), m, n);
      solution.column_volt_sample0 =
          Eigen::Map<const Eigen::Matrix<double, -1, -1, Eigen::RowMajor>>(x.data() + m * n, m, n);
    }
  }
  return solution;
}

// A random tile within the foundation issue's acceptance ranges: conductances log-uniform in
// [1 uS, 1 mS], wire resistances in [0, 10] ohm and periphery resistances in [0, 100] ohm, each
// exactly zero with probability 1/4 (ideal connections are the corner cases).
struct RandomTile {
  Eigen::MatrixXd g_siemens;
  circuit::WireResistances wires;
  Eigen::MatrixXd inputs_volt;
};

inline RandomTile random_tile(std::uint64_t seed, Eigen::Index m, Eigen::Index n,
                              Eigen::Index samples) {
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto maybe_zero = [&](double maximum) {
    return unit(generator) < 0.25 ? 0.0 : maximum * unit(generator);
  };
  RandomTile tile;
  tile.g_siemens.resize(m, n);
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j < n; ++j)
      tile.g_siemens(i, j) = 1e-6 * std::pow(1e3, unit(generator));
  }
  tile.wires = {maybe_zero(10.0), maybe_zero(10.0), maybe_zero(100.0), maybe_zero(100.0)};
  tile.inputs_volt.resize(samples, m);
  for (Eigen::Index k = 0; k < samples; ++k) {
    for (Eigen::Index i = 0; i < m; ++i) tile.inputs_volt(k, i) = unit(generator) - 0.5;
  }
  return tile;
}

}  // namespace imcosim::testing
