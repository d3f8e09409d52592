#include "validation_sweep.hpp"

#include <algorithm>
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

// Doubles as text that reads back to the same value.
std::string exact_text(double value) {
  std::ostringstream text;
  text << std::setprecision(17) << value;
  return text.str();
}

// A report's vector or matrix, checked to hold one row per case (and `columns` columns).
Eigen::MatrixXd report_matrix(const io::hdf5::File& file, const std::string& name,
                              Eigen::Index cases, Eigen::Index columns) {
  const auto values = file.open_dataset(name).read_matrix();
  if (values.rows() != cases || values.cols() != columns) {
    throw Error(ErrorKind::bad_input,
                file.file_name() + ":/" + name + " has shape " + std::to_string(values.rows()) +
                    " x " + std::to_string(values.cols()) + ", not " + std::to_string(cases) +
                    " x " + std::to_string(columns) + " (cases x columns)");
  }
  return values;
}

Eigen::VectorXd report_vector(const io::hdf5::File& file, const std::string& name,
                              Eigen::Index cases) {
  const auto values = file.open_dataset(name).read_vector();
  if (values.size() != cases) {
    throw Error(ErrorKind::bad_input, file.file_name() + ":/" + name + " has " +
                                          std::to_string(values.size()) + " values, not " +
                                          std::to_string(cases) + " (one per case)");
  }
  return values;
}

}  // namespace

std::vector<SweepColumn> sweep_columns() {
  std::vector<SweepColumn> columns{{"ngspice", spice::spice_tolerance_relative}};
  for (const auto method : solver::concrete_methods()) {
    const circuit::CrossbarTile probe(Eigen::MatrixXd::Constant(1, 1, 1e-3), {});
    columns.push_back({std::string(solver::method_name(method)),
                       solver::make_tile_solver(method, probe)->tolerance_relative()});
  }
  return columns;
}

bool SweepReport::passed() const {
  for (const auto& c : cases) {
    if (!case_passed(c, columns)) {
      return false;
    }
  }
  return true;
}

std::vector<SweepCase> sweep_cases(const SweepSettings& settings) {
  std::vector<SweepCase> cases;
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
            cases.push_back(std::move(c));
          }
        }
      }
    }
  }
  return cases;
}

std::string sweep_identity(const SweepSettings& settings, const std::vector<SweepColumn>& columns) {
  std::ostringstream text;
  text << "sizes=";
  for (const auto& size : settings.sizes) {
    text << size.rows << "x" << size.cols << ",";
  }
  text << " wires_ohm=";
  for (const double wire : settings.wire_ohms) {
    text << exact_text(wire) << ",";
  }
  text << " periphery_ohm=";
  for (const double periphery : settings.periphery_ohms) {
    text << exact_text(periphery) << ",";
  }
  text << " conductances_siemens=";
  for (const auto& range : settings.conductance_ranges) {
    text << exact_text(range.g_min_siemens) << ":" << exact_text(range.g_max_siemens) << ",";
  }
  text << " first_seed=" << settings.first_seed << " seeds=" << settings.seed_count
       << " samples=" << settings.samples << " spice_max_size=" << settings.spice_max_size
       << " columns=";
  for (const auto& column : columns) {
    text << column.name << ",";
  }
  return text.str();
}

void run_sweep(const SweepSettings& settings, spice::WorkerPool& pool,
               const spice::TileSimulationOptions& simulation_options, SweepReport& report,
               const std::function<void(const SweepReport&)>& on_case) {
  auto cases = sweep_cases(settings);
  for (std::size_t k = report.cases.size(); k < cases.size(); ++k) {
    solve_case(cases[k], report.columns, settings.samples, settings.spice_max_size, pool,
               simulation_options);
    report.cases.push_back(std::move(cases[k]));
    on_case(report);
  }
}

void print_sweep_header(std::ostream& out, const std::vector<SweepColumn>& columns) {
  out << std::left << std::setw(10) << "size" << std::right << std::setw(8) << "r_wire"
      << std::setw(8) << "r_per" << std::setw(20) << "G range (S)" << std::setw(6) << "seed";
  for (const auto& column : columns) {
    out << std::setw(11) << column.name << std::setw(9) << "time";
  }
  out << "\n" << std::left << std::setw(52) << "tolerance vs direct";
  for (const auto& column : columns) {
    out << std::right << std::setw(11)
        << (column.name == "direct"                 ? std::string("(ref)")
            : std::isinf(column.tolerance_relative) ? std::string("(none)")
                                                    : scientific(column.tolerance_relative, 0))
        << std::setw(9) << "(s)";
  }
  out << "\n";
}

void print_sweep_case(std::ostream& out, const SweepCase& c,
                      const std::vector<SweepColumn>& columns) {
  const std::string size = std::to_string(c.rows) + "x" + std::to_string(c.cols);
  out << std::left << std::setw(10) << size << std::right << std::setw(8) << c.r_wire_ohm
      << std::setw(8) << c.r_periphery_ohm << std::setw(20)
      << (scientific(c.g_min_siemens, 0) + ":" + scientific(c.g_max_siemens, 0)) << std::setw(6)
      << c.seed;
  for (std::size_t column = 0; column < columns.size(); ++column) {
    out << std::setw(11)
        << (column == direct_column ? std::string("-") : scientific(c.error_relative[column]))
        << std::setw(9) << scientific(c.time_s[column], 1);
  }
  out << (case_passed(c, columns) ? "" : "  FAIL") << "\n";
  for (const auto& message : c.failures) {
    out << "    " << message << "\n";
  }
  out << std::flush;
}

void print_sweep_verdict(std::ostream& out, const SweepReport& report) {
  const auto failures =
      std::count_if(report.cases.begin(), report.cases.end(),
                    [&](const SweepCase& c) { return !case_passed(c, report.columns); });
  out << "sweep: " << report.cases.size() << " cases, " << failures
      << " outside their tolerance: " << (failures == 0 ? "PASS" : "FAIL") << "\n";
}

void record_sweep(JsonObject& summary, const SweepReport& report) {
  const auto failures =
      std::count_if(report.cases.begin(), report.cases.end(),
                    [&](const SweepCase& c) { return !case_passed(c, report.columns); });
  summary.set("cases", report.cases.size()).set("cases_failed", failures);
  summary.set("passed", failures == 0);
  auto& largest = summary.object("max_relative_error");
  for (std::size_t column = 0; column < report.columns.size(); ++column) {
    if (column == direct_column) {
      continue;
    }
    double worst = std::numeric_limits<double>::quiet_NaN();
    for (const auto& c : report.cases) {
      const double error = c.error_relative[column];
      if (!std::isnan(error) && !(error <= worst)) {
        worst = error;
      }
    }
    largest.set(report.columns[column].name, worst);
  }
}

void write_sweep_report(const std::filesystem::path& path, const SweepSettings& settings,
                        const SweepReport& report) {
  const auto total_cases = static_cast<std::int64_t>(sweep_cases(settings).size());
  io::AtomicFile output(path);
  {
    auto file = io::hdf5::File::create(output.temporary_path());
    const auto cases = static_cast<Eigen::Index>(report.cases.size());
    const auto columns = static_cast<Eigen::Index>(report.columns.size());
    Eigen::VectorXd rows(cases), cols(cases), wire(cases), periphery(cases), g_min(cases),
        g_max(cases), seeds(cases);
    Eigen::MatrixXd errors(cases, columns), times(cases, columns);
    auto failures = file.create_group("failures");
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
      std::string messages;
      for (const auto& message : c.failures) {
        messages += (messages.empty() ? "" : "\n") + message;
      }
      if (!messages.empty()) {
        failures.write_string_attribute("case_" + std::to_string(k), messages);
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
    file.write_string_attribute("sweep", sweep_identity(settings, report.columns));
    file.write_int64_attribute("samples", settings.samples);
    file.write_int64_attribute("spice_max_size", settings.spice_max_size);
    file.write_int64_attribute("first_seed", static_cast<std::int64_t>(settings.first_seed));
    file.write_int64_attribute("cases_total", total_cases);
    file.write_int64_attribute("complete", cases == total_cases ? 1 : 0);
    file.write_int64_attribute("passed", report.passed() ? 1 : 0);
    file.close();
  }
  output.commit();
}

SweepReport read_sweep_report(const std::filesystem::path& path, const SweepSettings& settings) {
  SweepReport report;
  report.columns = sweep_columns();
  const auto file = io::hdf5::File::open_read_only(path);
  const std::string identity = sweep_identity(settings, report.columns);
  if (!file.has_attribute("sweep") || file.read_string_attribute("sweep") != identity) {
    throw Error(ErrorKind::bad_input,
                file.file_name() +
                    " is not a report of this sweep (its attribute 'sweep' differs from: " +
                    identity + "); it is kept: remove it or write the report elsewhere with -o");
  }
  auto cases = sweep_cases(settings);
  const auto done = file.open_dataset("seed").read_vector().size();
  if (done > static_cast<Eigen::Index>(cases.size())) {
    throw Error(ErrorKind::bad_input, file.file_name() + " holds " + std::to_string(done) +
                                          " cases; this sweep has " + std::to_string(cases.size()));
  }
  const auto columns = static_cast<Eigen::Index>(report.columns.size());
  const auto errors = report_matrix(file, "error_relative", done, columns);
  const auto times = report_matrix(file, "time_s", done, columns);
  const auto seeds = report_vector(file, "seed", done);
  const auto failures = file.open_group("failures");
  for (Eigen::Index k = 0; k < done; ++k) {
    auto& c = cases[static_cast<std::size_t>(k)];
    if (seeds(k) != static_cast<double>(c.seed)) {
      throw Error(ErrorKind::bad_input, file.file_name() + ":/seed[" + std::to_string(k) + "] is " +
                                            exact_text(seeds(k)) + ", not " +
                                            std::to_string(c.seed) + " as in this sweep");
    }
    c.error_relative.assign(errors.row(k).begin(), errors.row(k).end());
    c.time_s.assign(times.row(k).begin(), times.row(k).end());
    const std::string failure_name = "case_" + std::to_string(k);
    if (failures.has_attribute(failure_name)) {
      c.failures.push_back(failures.read_string_attribute(failure_name));
    }
    report.cases.push_back(std::move(c));
  }
  return report;
}

}  // namespace imcosim::cli
