// Every solver method against the independent dense MNA reference and against `direct`.
#include "imcosim/solver/tile_solver.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "imcosim/solver/agreement.hpp"
#include "imcosim/solver/error.hpp"
#include "support/reference_tile_solution.hpp"

namespace imcosim::solver {
namespace {

using circuit::CrossbarTile;
using circuit::WireResistances;

// The exact methods; `ideal` claims nothing and is checked on its own.
const std::vector<SolverMethod> exact_methods{SolverMethod::direct, SolverMethod::transfer,
                                              SolverMethod::iterative};

std::string describe(const WireResistances& wires) {
  return "r_row " + std::to_string(wires.r_row_ohm) + " r_col " + std::to_string(wires.r_col_ohm) +
         " r_source " + std::to_string(wires.r_source_ohm) + " r_sense " +
         std::to_string(wires.r_sense_ohm);
}

// Checks every exact method against the reference and against direct.
void expect_all_methods_agree(const Eigen::MatrixXd& g, const WireResistances& wires,
                              const Eigen::MatrixXd& inputs, const std::string& context) {
  const CrossbarTile tile(g, wires);
  const auto reference = testing::reference_tile_solution(g, wires, inputs);
  const auto direct = make_tile_solver(SolverMethod::direct, tile)->solve(inputs).currents_ampere;
  for (const auto method : exact_methods) {
    const auto solver = make_tile_solver(method, tile);
    const auto currents = solver->solve(inputs).currents_ampere;
    EXPECT_LE(compare_currents(currents, reference.currents_ampere).max_relative,
              solver->tolerance_relative())
        << method_name(method) << " vs reference, " << context << ", " << describe(wires);
    EXPECT_LE(compare_currents(currents, direct).max_relative, solver->tolerance_relative())
        << method_name(method) << " vs direct, " << context << ", " << describe(wires);
  }
}

struct Shape {
  Eigen::Index rows;
  Eigen::Index cols;
};

class MethodsAgainstReference : public ::testing::TestWithParam<Shape> {};

TEST_P(MethodsAgainstReference, RandomTilesAgreeWithinEachStatedTolerance) {
  const auto [m, n] = GetParam();
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const auto tile =
        testing::random_tile(seed * 104729 + static_cast<std::uint64_t>(m * 1000 + n), m, n, 3);
    expect_all_methods_agree(tile.g_siemens, tile.wires, tile.inputs_volt,
                             "seed " + std::to_string(seed));
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, MethodsAgainstReference,
                         ::testing::Values(Shape{1, 1}, Shape{1, 12}, Shape{12, 1}, Shape{2, 2},
                                           Shape{5, 7}, Shape{7, 5}, Shape{16, 16}, Shape{24, 11},
                                           Shape{7, 23}, Shape{18, 14}));

TEST(MethodsAgainstReference, EveryCombinationOfIdealConnectionsAgrees) {
  for (const auto& [m, n] : {Shape{6, 5}, Shape{1, 4}, Shape{4, 1}, Shape{1, 1}, Shape{9, 13}}) {
    const auto tile = testing::random_tile(42 + static_cast<std::uint64_t>(m * 31 + n), m, n, 2);
    for (int mask = 0; mask < 16; ++mask) {
      const WireResistances wires{(mask & 1) != 0 ? 0.0 : 3.0, (mask & 2) != 0 ? 0.0 : 4.0,
                                  (mask & 4) != 0 ? 0.0 : 50.0, (mask & 8) != 0 ? 0.0 : 20.0};
      expect_all_methods_agree(
          tile.g_siemens, wires, tile.inputs_volt,
          std::to_string(m) + "x" + std::to_string(n) + " mask " + std::to_string(mask));
    }
  }
}

// Conductances log-uniform in [g_min, g_max], seeded.
Eigen::MatrixXd random_conductances(std::uint64_t seed, Eigen::Index m, Eigen::Index n,
                                    double g_min_siemens, double g_max_siemens) {
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Eigen::MatrixXd g(m, n);
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      g(i, j) = g_min_siemens * std::pow(g_max_siemens / g_min_siemens, unit(generator));
    }
  }
  return g;
}

// Strong wires with the most conductive devices, weak wires with the least conductive ones,
// and the harshest mix: 10 ohm wires with 1 kOhm devices. The dense reference limits the size.
void expect_extreme_ratios_agree(Eigen::Index m, Eigen::Index n) {
  const auto inputs = testing::random_tile(5, m, n, 2).inputs_volt;
  const auto low = random_conductances(6, m, n, 1e-3, 1e-3 * 1.0000001);
  const auto high = random_conductances(7, m, n, 1e-6, 1e-6 * 1.0000001);
  const auto spread = random_conductances(8, m, n, 1e-6, 1e-3);
  expect_all_methods_agree(low, {0.1, 0.1, 0.1, 0.1}, inputs, "0.1 ohm wires, 1 kOhm devices");
  expect_all_methods_agree(high, {10.0, 10.0, 10.0, 10.0}, inputs, "10 ohm wires, 1 MOhm devices");
  expect_all_methods_agree(low, {10.0, 10.0, 100.0, 100.0}, inputs, "10 ohm wires, 1 kOhm");
  expect_all_methods_agree(spread, {0.1, 10.0, 0.0, 100.0}, inputs, "mixed wires, 1k-1M");
}

TEST(MethodsAgainstReference, ExtremeParasiticRatiosAgree) { expect_extreme_ratios_agree(16, 16); }

TEST(MethodsAgainstReference, NodeVoltagesMatchTheReference) {
  const auto tile = testing::random_tile(99, 9, 7, 2);
  for (int mask = 0; mask < 16; ++mask) {
    const WireResistances wires{(mask & 1) != 0 ? 0.0 : 2.0, (mask & 2) != 0 ? 0.0 : 5.0,
                                (mask & 4) != 0 ? 0.0 : 30.0, (mask & 8) != 0 ? 0.0 : 10.0};
    const auto reference =
        testing::reference_tile_solution(tile.g_siemens, wires, tile.inputs_volt);
    const double scale = tile.inputs_volt.row(0).cwiseAbs().maxCoeff();
    for (const auto method : exact_methods) {
      const auto voltages = make_tile_solver(method, CrossbarTile(tile.g_siemens, wires))
                                ->node_voltages(tile.inputs_volt.row(0).transpose());
      EXPECT_LE((voltages.row_volt - reference.row_volt_sample0).cwiseAbs().maxCoeff(),
                1e-9 * scale)
          << method_name(method) << " mask " << mask;
      EXPECT_LE((voltages.column_volt - reference.column_volt_sample0).cwiseAbs().maxCoeff(),
                1e-9 * scale)
          << method_name(method) << " mask " << mask;
    }
  }
}

TEST(MethodsAgainstDirect, ExtremeParasiticRatiosAgreeAt48x48) {
  const Eigen::Index m = 48;
  const Eigen::Index n = 48;
  const auto inputs = testing::random_tile(5, m, n, 2).inputs_volt;
  const auto low = random_conductances(6, m, n, 1e-3, 1e-3 * 1.0000001);
  const auto high = random_conductances(7, m, n, 1e-6, 1e-6 * 1.0000001);
  for (const auto& [g, wires] : {std::pair{low, WireResistances{0.1, 0.1, 0.1, 0.1}},
                                 std::pair{high, WireResistances{10.0, 10.0, 10.0, 10.0}},
                                 std::pair{low, WireResistances{10.0, 10.0, 100.0, 100.0}}}) {
    const CrossbarTile tile(g, wires);
    const auto direct = make_tile_solver(SolverMethod::direct, tile)->solve(inputs).currents_ampere;
    for (const auto method : {SolverMethod::transfer, SolverMethod::iterative}) {
      const auto solver = make_tile_solver(method, tile);
      EXPECT_LE(compare_currents(solver->solve(inputs).currents_ampere, direct).max_relative,
                solver->tolerance_relative())
          << method_name(method) << ", " << describe(wires);
    }
  }
}

TEST(MethodsAgainstDirect, LargerTilesAgree) {
  for (const auto& [m, n] : {Shape{128, 128}, Shape{256, 64}, Shape{64, 200}}) {
    const auto tile = testing::random_tile(2024 + static_cast<std::uint64_t>(m + n), m, n, 4);
    const WireResistances wires{1.0, 2.5, 20.0, 10.0};
    const CrossbarTile crossbar(tile.g_siemens, wires);
    const auto direct =
        make_tile_solver(SolverMethod::direct, crossbar)->solve(tile.inputs_volt).currents_ampere;
    for (const auto method : {SolverMethod::transfer, SolverMethod::iterative}) {
      const auto solver = make_tile_solver(method, crossbar);
      EXPECT_LE(
          compare_currents(solver->solve(tile.inputs_volt).currents_ampere, direct).max_relative,
          solver->tolerance_relative())
          << method_name(method) << " " << m << "x" << n;
    }
  }
}

TEST(MethodsAgainstDirect, IdealIsExactWithoutParasiticsAndClaimsNothing) {
  const auto tile = testing::random_tile(3, 8, 6, 3);
  const CrossbarTile crossbar(tile.g_siemens, WireResistances{});
  const auto ideal = make_tile_solver(SolverMethod::ideal, crossbar);
  EXPECT_TRUE(std::isinf(ideal->tolerance_relative()));
  const auto direct =
      make_tile_solver(SolverMethod::direct, crossbar)->solve(tile.inputs_volt).currents_ampere;
  EXPECT_LE(compare_currents(ideal->solve(tile.inputs_volt).currents_ampere, direct).max_relative,
            1e-12);
  const auto voltages = ideal->node_voltages(tile.inputs_volt.row(1).transpose());
  EXPECT_EQ(voltages.row_volt.col(5), tile.inputs_volt.row(1).transpose());
  EXPECT_EQ(voltages.column_volt.cwiseAbs().maxCoeff(), 0.0);
}

TEST(MethodNames, RoundTripAndRejectUnknownNames) {
  for (const auto method : concrete_methods()) {
    EXPECT_EQ(parse_method(method_name(method)), method);
  }
  EXPECT_EQ(parse_method("auto"), SolverMethod::automatic);
  EXPECT_THROW((void)parse_method("lu"), SolverError);
}

TEST(AutoRule, PicksByBatchAndSize) {
  EXPECT_EQ(choose_method(64, 64, 1), SolverMethod::direct);
  EXPECT_EQ(choose_method(64, 64, 64), SolverMethod::transfer);
  EXPECT_EQ(choose_method(256, 256, 10000), SolverMethod::transfer);
  EXPECT_EQ(choose_method(256, 256, 64), SolverMethod::transfer);
  EXPECT_EQ(choose_method(512, 512, 100), SolverMethod::transfer);
  EXPECT_EQ(choose_method(256, 256, 63), SolverMethod::iterative);
  EXPECT_EQ(choose_method(128, 128, 4), SolverMethod::iterative);
  EXPECT_EQ(choose_method(1024, 1024, 1), SolverMethod::iterative);
  EXPECT_EQ(choose_method(1024, 1024, 5000), SolverMethod::transfer);
  EXPECT_EQ(choose_method(4096, 4096, 100000), SolverMethod::iterative);
  const auto tile = testing::random_tile(1, 4, 4, 1);
  EXPECT_EQ(make_tile_solver(SolverMethod::automatic, CrossbarTile(tile.g_siemens, tile.wires), 1)
                ->method(),
            SolverMethod::direct);
}

}  // namespace
}  // namespace imcosim::solver
