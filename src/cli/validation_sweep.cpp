#include "validation_sweep.hpp"

#include <cmath>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/solver/agreement.hpp"
#include "imcosim/solver/direct_solver.hpp"
#include "imcosim/solver/tile_solver.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

constexpr double not_run = std::numeric_limits<double>::quiet_NaN();
constexpr double failed = std::numeric_limits<double>::infinity();
constexpr std::size_t spice_column = 0;
constexpr std::size_t direct_column = 1;

std::vector<SweepColumn> sweep_columns() {
  std::vector<SweepColumn> columns{{"ngspice", spice::spice_tolerance_relative}};
  for (const auto method : solver::concrete_methods()) {
    const circuit::CrossbarTile probe(Eigen::MatrixXd::Constant(1, 1, 1e-3), {});
    columns.push_back({std::string(solver::method_name(method)),
                       solver::make_tile_solver(method, probe)->tolerance_relative()});
  }
  return columns;
}

// A random tile of the case: conductances log-uniform in the range, inputs uniform in
// [-0.5, 0.5] V, all drawn from the case's seed.
struct CaseCircuit {
  circuit::CrossbarTile tile;
  Eigen::MatrixXd inputs_volt;
};

CaseCircuit make_circuit(const SweepCase& c, Eigen::Index samples) {
  std::mt19937_64 generator(c.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Eigen::MatrixXd g(c.rows, c.cols);
  for (Eigen::Index i = 0; i < c.rows; ++i) {
    for (Eigen::Index j = 0; j < c.cols; ++j) {
      g(i, j) = c.g_min_siemens * std::pow(c.g_max_siemens / c.g_min_siemens, unit(generator));
    }
  }
  Eigen::MatrixXd inputs(samples, c.rows);
  for (Eigen::Index k = 0; k < samples; ++k) {
    for (Eigen::Index i = 0; i < c.rows; ++i) {
      inputs(k, i) = unit(generator) - 0.5;
    }
  }
  const circuit::WireResistances wires{c.r_wire_ohm, c.r_wire_ohm, c.r_periphery_ohm,
                                       c.r_periphery_ohm};
  return {circuit::CrossbarTile(std::move(g), wires), std::move(inputs)};
}

std::string scientific(double value, int digits = 2) {
  if (std::isnan(value)) {
    return "-";
  }
  if (std::isinf(value)) {
    return "FAILED";
  }
  std::ostringstream text;
  text << std::scientific << std::setprecision(digits) << value;
  return text.str();
}

void solve_case(SweepCase& c, const std::vector<SweepColumn>& columns, Eigen::Index samples,
                Eigen::Index spice_max_size, spice::WorkerPool& pool,
                const spice::TileSimulationOptions& simulation_options) {
  const auto circuit = make_circuit(c, samples);
  c.error_relative.assign(columns.size(), not_run);
  c.time_s.assign(columns.size(), not_run);

  // The reference for every other column.
  const Stopwatch direct_time;
  const auto direct = solver::make_tile_solver(solver::SolverMethod::direct, circuit.tile);
  const Eigen::MatrixXd reference = direct->solve(circuit.inputs_volt).currents_ampere;
  c.time_s[direct_column] = direct_time.elapsed_s();
  c.error_relative[direct_column] = 0.0;

  const auto record = [&](std::size_t column, const auto& currents_of) {
    const Stopwatch time;
    try {
      const Eigen::MatrixXd currents = currents_of();
      c.time_s[column] = time.elapsed_s();
      c.error_relative[column] = solver::compare_currents(currents, reference).max_relative;
    } catch (const Error& error) {
      c.time_s[column] = time.elapsed_s();
      c.error_relative[column] = failed;
      c.failures.push_back(columns[column].name + ": " + error.what());
    }
  };
  if (std::max(c.rows, c.cols) <= spice_max_size) {
    record(spice_column, [&] {
      return spice::simulate_tile(pool, circuit::TileNetwork(circuit.tile), circuit.inputs_volt,
                                  simulation_options);
    });
  }
  for (std::size_t column = direct_column + 1; column < columns.size(); ++column) {
    const auto method = solver::parse_method(columns[column].name);
    record(column, [&] {
      return solver::make_tile_solver(method, circuit.tile)
          ->solve(circuit.inputs_volt)
          .currents_ampere;
    });
  }
}

bool case_passed(const SweepCase& c, const std::vector<SweepColumn>& columns) {
  for (std::size_t column = 0; column < columns.size(); ++column) {
    const double error = c.error_relative[column];
    const double tolerance = columns[column].tolerance_relative;
    if (std::isinf(error) || (std::isfinite(tolerance) && error > tolerance)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool SweepReport::passed() const {
  for (const auto& c : cases) {
    if (!case_passed(c, columns)) {
      return false;
    }
  }
  return true;
}

SweepReport run_sweep(const SweepSettings& settings, spice::WorkerPool& pool,
                      const spice::TileSimulationOptions& simulation_options) {
  SweepReport report;
  report.columns = sweep_columns();
  std::uint64_t seed = settings.first_seed;
  for (const auto& size : settings.sizes) {
    for (const double wire : settings.wire_ohms) {
      for (const double periphery : settings.periphery_ohms) {
        for (const auto& range : settings.conductance_ranges) {
          for (Eigen::Index repeat = 0; repeat < settings.seed_count; ++repeat) {
            SweepCase c;
            c.rows = size.rows;
            c.cols = size.cols;
            c.r_wire_ohm = wire;
            c.r_periphery_ohm = periphery;
            c.g_min_siemens = range.g_min_siemens;
            c.g_max_siemens = range.g_max_siemens;
            c.seed = seed++;
            solve_case(c, report.columns, settings.samples, settings.spice_max_size, pool,
                       simulation_options);
            report.cases.push_back(std::move(c));
          }
        }
      }
    }
  }
  return report;
}

void print_sweep(std::ostream& out, const SweepReport& report) {
  out << std::left << std::setw(10) << "size" << std::right << std::setw(8) << "r_wire"
      << std::setw(8) << "r_per" << std::setw(20) << "G range (S)" << std::setw(6) << "seed";
  for (const auto& column : report.columns) {
    out << std::setw(11) << column.name << std::setw(9) << "time";
  }
  out << "\n" << std::left << std::setw(52) << "tolerance vs direct";
  for (const auto& column : report.columns) {
    out << std::right << std::setw(11)
        << (column.name == "direct"                 ? std::string("(ref)")
            : std::isinf(column.tolerance_relative) ? std::string("(none)")
                                                    : scientific(column.tolerance_relative, 0))
        << std::setw(9) << "(s)";
  }
  out << "\n";
  std::size_t failures = 0;
  for (const auto& c : report.cases) {
    const std::string size = std::to_string(c.rows) + "x" + std::to_string(c.cols);
    out << std::left << std::setw(10) << size << std::right << std::setw(8) << c.r_wire_ohm
        << std::setw(8) << c.r_periphery_ohm << std::setw(20)
        << (scientific(c.g_min_siemens, 0) + ":" + scientific(c.g_max_siemens, 0)) << std::setw(6)
        << c.seed;
    for (std::size_t column = 0; column < report.columns.size(); ++column) {
      out << std::setw(11)
          << (column == direct_column ? std::string("-") : scientific(c.error_relative[column]))
          << std::setw(9) << scientific(c.time_s[column], 1);
    }
    const bool passed = case_passed(c, report.columns);
    out << (passed ? "" : "  FAIL") << "\n";
    for (const auto& message : c.failures) {
      out << "    " << message << "\n";
    }
    failures += passed ? 0 : 1;
  }
  out << "sweep: " << report.cases.size() << " cases, " << failures
      << " outside their tolerance: " << (failures == 0 ? "PASS" : "FAIL") << "\n";
}

void write_sweep_report(const std::filesystem::path& path, const SweepSettings& settings,
                        const SweepReport& report) {
  io::AtomicFile output(path);
  {
    auto file = io::hdf5::File::create(output.temporary_path());
    const auto cases = static_cast<Eigen::Index>(report.cases.size());
    const auto columns = static_cast<Eigen::Index>(report.columns.size());
    Eigen::VectorXd rows(cases), cols(cases), wire(cases), periphery(cases), g_min(cases),
        g_max(cases), seeds(cases);
    Eigen::MatrixXd errors(cases, columns), times(cases, columns);
    for (Eigen::Index k = 0; k < cases; ++k) {
      const auto& c = report.cases[static_cast<std::size_t>(k)];
      rows(k) = static_cast<double>(c.rows);
      cols(k) = static_cast<double>(c.cols);
      wire(k) = c.r_wire_ohm;
      periphery(k) = c.r_periphery_ohm;
      g_min(k) = c.g_min_siemens;
      g_max(k) = c.g_max_siemens;
      seeds(k) = static_cast<double>(c.seed);
      for (Eigen::Index column = 0; column < columns; ++column) {
        errors(k, column) = c.error_relative[static_cast<std::size_t>(column)];
        times(k, column) = c.time_s[static_cast<std::size_t>(column)];
      }
    }
    file.write_vector("rows", rows);
    file.write_vector("cols", cols);
    file.write_vector("r_wire_ohm", wire);
    file.write_vector("r_periphery_ohm", periphery);
    file.write_vector("g_min_siemens", g_min);
    file.write_vector("g_max_siemens", g_max);
    file.write_vector("seed", seeds);
    auto error_set = file.write_matrix("error_relative", errors);
    error_set.write_string_attribute(
        "meaning", "max relative difference from direct; NaN: not run; inf: the method failed");
    file.write_matrix("time_s", times);
    Eigen::VectorXd tolerances(columns);
    std::string names;
    for (Eigen::Index column = 0; column < columns; ++column) {
      const auto& c = report.columns[static_cast<std::size_t>(column)];
      tolerances(column) = c.tolerance_relative;
      names += (column == 0 ? "" : ",") + c.name;
    }
    file.write_vector("tolerance_relative", tolerances);
    file.write_string_attribute("columns", names);
    file.write_int64_attribute("samples", settings.samples);
    file.write_int64_attribute("spice_max_size", settings.spice_max_size);
    file.write_int64_attribute("first_seed", static_cast<std::int64_t>(settings.first_seed));
    file.write_int64_attribute("passed", report.passed() ? 1 : 0);
    file.close();
  }
  output.commit();
}

}  // namespace imcosim::cli
