#include "imcosim/imac/neuron_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/imac/error.hpp"
#include "imcosim/netlist/tile_deck.hpp"
#include "imcosim/spice/worker_pool.hpp"
#include "neuron_test_support.hpp"
#include "support/run_command.hpp"

namespace imcosim::imac {
namespace {

using netlist::spice_number;
using testing::ScratchDirectory;

// A table filled from f(v_in, v_out) on `grid`, all three currents alike.
template <typename Function>
NeuronTable synthetic_table(const NeuronGrid& grid, Function f) {
  const auto [rows, cols] = neuron_grid_points(grid);
  Eigen::MatrixXd samples(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      samples(i, j) = f(grid.v_in_min_volt + static_cast<double>(i) * grid.step_volt,
                        grid.v_out_min_volt + static_cast<double>(j) * grid.step_volt);
    }
  }
  return NeuronTable({"imac_neuron_mtj", {}}, grid, samples, samples, samples);
}

NeuronGrid small_grid() { return {-0.1, 0.1, 0.0, 0.8, 0.01}; }

// Catmull-Rom interpolation with quadratically extrapolated edges reproduces any quadratic in
// each variable exactly, derivatives included, up to the table's edges.
TEST(NeuronTable, ReproducesQuadraticsExactlyUpToTheEdges) {
  const auto f = [](double x, double y) {
    return 1e-4 + 2e-4 * x - 3e-4 * y + 5e-4 * x * y + 7e-4 * y * y - 4e-4 * x * x * y;
  };
  const NeuronTable table = synthetic_table(small_grid(), f);
  for (const double x : {-0.1, -0.0937, 0.0, 0.0521, 0.1}) {
    for (const double y : {0.0, 0.0033, 0.4, 0.7999, 0.8}) {
      const auto sample = table.output_current(x, y);
      EXPECT_NEAR(sample.value, f(x, y), 1e-15) << x << ", " << y;
      EXPECT_NEAR(sample.d_dv_in, 2e-4 + 5e-4 * y - 8e-4 * x * y, 1e-13) << x << ", " << y;
      EXPECT_NEAR(sample.d_dv_out, -3e-4 + 5e-4 * x + 14e-4 * y - 4e-4 * x * x, 1e-13);
    }
  }
}

TEST(NeuronTable, IsContinuousWithContinuousDerivativesAcrossGridLines) {
  const NeuronTable table = synthetic_table(small_grid(), [](double x, double y) {
    return 1e-4 * std::tanh(10.0 * (0.4 - y) - 8.0 * x);
  });
  constexpr double kEpsilon_volt = 1e-9;
  for (const double y : {0.01, 0.39, 0.4, 0.45}) {
    const auto below = table.output_current(0.02 - kEpsilon_volt, y);
    const auto above = table.output_current(0.02 + kEpsilon_volt, y);
    EXPECT_NEAR(below.value, above.value, 5e-12);  // the slope times 2 nV is 1.6e-12 A
    EXPECT_NEAR(below.d_dv_in, above.d_dv_in, 1e-8);
    EXPECT_NEAR(below.d_dv_out, above.d_dv_out, 1e-8);
  }
}

TEST(NeuronTable, OpenCircuitOutputSolvesZeroCurrent) {
  // A linear source: v_open(v_in) = 0.4 - 2 v_in behind 10 kohm.
  const NeuronTable table =
      synthetic_table(small_grid(), [](double x, double y) { return (0.4 - 2.0 * x - y) / 1e4; });
  for (const double x : {-0.1, -0.03, 0.0, 0.077, 0.1}) {
    EXPECT_NEAR(table.open_circuit_output_volt(x), 0.4 - 2.0 * x, 1e-12);
  }
  const NeuronTable shifted =
      synthetic_table(small_grid(), [](double, double y) { return (0.95 - y) / 1e4; });
  EXPECT_THROW((void)shifted.open_circuit_output_volt(0.0), ImacError);
}

TEST(NeuronTable, OutOfRangeQueriesThrowNamingValueAndRange) {
  const NeuronTable table = synthetic_table(small_grid(), [](double, double) { return 0.0; });
  try {
    (void)table.output_current(0.25, 0.4);
    FAIL() << "no exception";
  } catch (const ImacError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("0.25 V"), std::string::npos) << message;
    EXPECT_NE(message.find("[-0.1 V, 0.1 V]"), std::string::npos) << message;
  }
  EXPECT_THROW((void)table.supply_current(0.0, -0.01), ImacError);
  EXPECT_THROW((void)table.input_current(0.0, std::nan("")), ImacError);
}

TEST(NeuronTable, RejectsMismatchedShapesAndGrids) {
  const NeuronGrid grid = small_grid();
  const Eigen::MatrixXd right = Eigen::MatrixXd::Zero(21, 81);
  const Eigen::MatrixXd wrong = Eigen::MatrixXd::Zero(21, 80);
  EXPECT_NO_THROW(NeuronTable({"imac_neuron_mtj", {}}, grid, right, right, right));
  EXPECT_THROW(NeuronTable({"imac_neuron_mtj", {}}, grid, right, wrong, right), ImacError);
  NeuronGrid uneven = grid;
  uneven.v_out_max_volt = 0.8049;
  EXPECT_THROW((void)neuron_grid_points(uneven), ImacError);
  NeuronGrid no_step = grid;
  no_step.step_volt = 0.0;
  EXPECT_THROW((void)neuron_grid_points(no_step), ImacError);
}

TEST(NeuronTable, KeyFollowsParametersButNotTheirOrder) {
  const NeuronGrid grid = small_grid();
  const NeuronCircuit a{"imac_neuron_mtj", {{"r_p", 8000.0}, {"wn", 3e-7}}};
  const NeuronCircuit b{"imac_neuron_mtj", {{"wn", 3e-7}, {"r_p", 8000.0}}};
  const NeuronCircuit c{"imac_neuron_mtj", {{"r_p", 8001.0}, {"wn", 3e-7}}};
  EXPECT_EQ(neuron_table_key(a, grid), neuron_table_key(b, grid));
  EXPECT_NE(neuron_table_key(a, grid), neuron_table_key(c, grid));
  EXPECT_EQ(neuron_table_key(a, grid).size(), 16U);
  NeuronGrid finer = grid;
  finer.step_volt = 0.005;
  EXPECT_NE(neuron_table_key(a, grid), neuron_table_key(a, finer));
  EXPECT_THROW((void)neuron_table_key({"no_such_neuron", {}}, grid), ImacError);
  const NeuronCircuit twice{"imac_neuron_mtj", {{"r_p", 1.0}, {"r_p", 2.0}}};
  EXPECT_THROW((void)neuron_table_key(twice, grid), ImacError);
}

// V(out) of the neuron solved from the table for a load r_load to v_load: the output current
// equals (v - v_load) / r_load. Newton's method on a bracket.
double table_operating_point_volt(const NeuronTable& table, double v_in_volt, double r_load_ohm,
                                  double v_load_volt) {
  double low_volt = table.grid().v_out_min_volt;
  double high_volt = table.grid().v_out_max_volt;
  double v_volt = 0.5 * (low_volt + high_volt);
  for (int iteration = 0; iteration < 100; ++iteration) {
    const auto sample = table.output_current(v_in_volt, v_volt);
    const double residual_ampere = sample.value - (v_volt - v_load_volt) / r_load_ohm;
    (residual_ampere > 0.0 ? low_volt : high_volt) = v_volt;
    const double next_volt = v_volt - residual_ampere / (sample.d_dv_out - 1.0 / r_load_ohm);
    const double bounded_volt =
        next_volt > low_volt && next_volt < high_volt ? next_volt : 0.5 * (low_volt + high_volt);
    if (std::abs(bounded_volt - v_volt) < 1e-13) {
      break;
    }
    v_volt = bounded_volt;
  }
  return v_volt;
}

struct LoadCase {
  double v_in_volt;
  double r_load_ohm;
  double v_load_volt;
};

// One ngspice op of a neuron per case, each driving its own load.
std::vector<double> ngspice_operating_points_volt(spice::WorkerPool& pool,
                                                  const std::vector<LoadCase>& cases) {
  spice::SpiceJob job;
  job.netlist_lines = {"* neurons driving resistive loads"};
  for (std::string& line : testing::library_lines("imac_neuron_mtj.sub")) {
    job.netlist_lines.push_back(std::move(line));
  }
  job.netlist_lines.emplace_back("vdd vdd 0 dc 0.8");
  job.netlist_lines.emplace_back("vss vss 0 dc 0");
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const std::string n = std::to_string(k);
    job.netlist_lines.push_back("vin" + n + " in" + n + " 0 dc " +
                                spice_number(cases[k].v_in_volt));
    job.netlist_lines.push_back("x" + n + " in" + n + " out" + n + " vdd vss imac_neuron_mtj");
    job.netlist_lines.push_back("rl" + n + " out" + n + " load" + n + " " +
                                spice_number(cases[k].r_load_ohm));
    job.netlist_lines.push_back("vl" + n + " load" + n + " 0 dc " +
                                spice_number(cases[k].v_load_volt));
    job.vector_names.push_back("v(out" + n + ")");
  }
  job.netlist_lines.emplace_back(".end");
  job.commands = {"op"};
  std::vector<double> v_out_volt;
  for (const auto& vector : pool.run(job).vectors) {
    v_out_volt.push_back(vector.at(0));
  }
  return v_out_volt;
}

// The fast path's use of the table: a 5 mV characterisation must reproduce ngspice's operating
// point of the transistor-level neuron driving a resistive load to well under 1 mV.
TEST(NeuronCharacterisation, TableReproducesNgspiceOperatingPoints) {
  spice::WorkerPool pool(spice::WorkerPoolOptions{});
  const ScratchDirectory cache;
  const NeuronGrid grid{-0.3, 0.3, -0.05, 0.85, 0.005};
  const NeuronTable table = characterise_neuron(pool, {"imac_neuron_mtj", {}}, grid, cache.path());
  std::vector<LoadCase> cases;
  for (const double v_in_volt : {-0.25, -0.12, -0.0313, 0.0, 0.0171, 0.08, 0.2, 0.2987}) {
    for (const auto& [r_load_ohm, v_load_volt] :
         {std::pair{5e3, 0.0}, std::pair{2e4, 0.4}, std::pair{1e5, 0.8}, std::pair{2.5e4, 0.0},
          std::pair{1e4, 0.8}, std::pair{1e7, 0.4}}) {
      cases.push_back({v_in_volt, r_load_ohm, v_load_volt});
    }
  }
  const std::vector<double> expected_volt = ngspice_operating_points_volt(pool, cases);
  double worst_error_volt = 0.0;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const double v_volt = table_operating_point_volt(table, cases[k].v_in_volt, cases[k].r_load_ohm,
                                                     cases[k].v_load_volt);
    EXPECT_NEAR(v_volt, expected_volt[k], 0.2e-3)
        << "v_in " << cases[k].v_in_volt << " V, load " << cases[k].r_load_ohm << " ohm to "
        << cases[k].v_load_volt << " V";
    worst_error_volt = std::max(worst_error_volt, std::abs(v_volt - expected_volt[k]));
  }
  // The open-circuit output against an independent dc sweep of the open neuron.
  const std::vector<double> open_volt =
      testing::open_transfer_curve(pool, "imac_neuron_mtj", -0.3, 0.3, 0.0125);
  for (std::size_t k = 0; k < open_volt.size(); ++k) {
    const double v_in_volt = -0.3 + static_cast<double>(k) * 0.0125;
    const double v_volt = table.open_circuit_output_volt(v_in_volt);
    EXPECT_NEAR(v_volt, open_volt[k], 0.2e-3) << "v_in " << v_in_volt << " V";
    worst_error_volt = std::max(worst_error_volt, std::abs(v_volt - open_volt[k]));
  }
  RecordProperty("worst_error_microvolt", std::to_string(worst_error_volt * 1e6));
  std::cout << "worst operating-point error " << worst_error_volt * 1e6 << " uV\n";
}

void expect_equal_tables(const NeuronTable& a, const NeuronTable& b) {
  EXPECT_EQ(a.output_current_ampere(), b.output_current_ampere());
  EXPECT_EQ(a.supply_current_ampere(), b.supply_current_ampere());
  EXPECT_EQ(a.input_current_ampere(), b.input_current_ampere());
  EXPECT_EQ(a.key(), b.key());
}

TEST(NeuronCharacterisation, CacheHitRunsNoNgspice) {
  spice::WorkerPool pool(spice::WorkerPoolOptions{});
  const ScratchDirectory cache;
  const NeuronCircuit circuit{"imac_neuron_mtj", {{"r_ap", 25e3}}};
  const NeuronTable first = characterise_neuron(pool, circuit, small_grid(), cache.path());
  const auto path = cache / ("neuron-" + first.key() + ".h5");
  const auto written = std::filesystem::last_write_time(path);
  // A pool whose 1 ms time-out would fail any characterisation: the table came from the cache,
  // which stays untouched.
  spice::WorkerPool no_ngspice(spice::WorkerPoolOptions{1, std::chrono::milliseconds(1), 200});
  expect_equal_tables(characterise_neuron(no_ngspice, circuit, small_grid(), cache.path()), first);
  EXPECT_EQ(std::filesystem::last_write_time(path), written);
}

TEST(NeuronCharacterisation, CorruptCacheFileIsRecomputed) {
  spice::WorkerPool pool(spice::WorkerPoolOptions{});
  const ScratchDirectory cache;
  const NeuronCircuit circuit{"imac_neuron_mtj", {}};
  const NeuronTable first = characterise_neuron(pool, circuit, small_grid(), cache.path());
  const auto path = cache / ("neuron-" + first.key() + ".h5");
  std::ofstream(path, std::ios::trunc) << "not an HDF5 file";
  expect_equal_tables(characterise_neuron(pool, circuit, small_grid(), cache.path()), first);
  spice::WorkerPool no_ngspice(spice::WorkerPoolOptions{1, std::chrono::milliseconds(1), 200});
  expect_equal_tables(characterise_neuron(no_ngspice, circuit, small_grid(), cache.path()), first);
}

// The behavioural neuron's class-B supply model: current sourced at the output comes from vdd;
// its input draws nothing.
TEST(NeuronCharacterisation, BehaviouralNeuronDrawsSourcedCurrentFromVdd) {
  spice::WorkerPool pool(spice::WorkerPoolOptions{});
  const ScratchDirectory cache;
  const NeuronTable table =
      characterise_neuron(pool, {"imac_neuron_behavioural", {}}, small_grid(), cache.path());
  const Eigen::MatrixXd sourced = table.output_current_ampere().cwiseMax(0.0);
  EXPECT_LT((table.supply_current_ampere() - sourced).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT(table.input_current_ampere().cwiseAbs().maxCoeff(), 1e-12);
  // Open circuit: the documented logistic curve.
  const double v_open_volt = 0.8 / (1.0 + std::exp(9.6935 * (0.05 + 5.65e-3)));
  EXPECT_NEAR(table.open_circuit_output_volt(0.05), v_open_volt, 1e-4);
}

}  // namespace
}  // namespace imcosim::imac
