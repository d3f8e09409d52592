#include "tile_validation.hpp"

#include <algorithm>
#include <iomanip>
#include <numeric>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/direct_solver.hpp"
#include "imcosim/solver/ideal_solver.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

TileValidation validate_tile(const circuit::CrossbarTile& tile, const Eigen::MatrixXd& inputs_volt,
                             spice::WorkerPool& pool,
                             const spice::TileSimulationOptions& simulation_options) {
  TileValidation validation;
  const circuit::TileNetwork network(tile);

  // 1. The reference: exact nodal analysis.
  const Stopwatch factorise_time;
  const solver::DirectSolver direct(network);
  validation.direct_factorise_s = factorise_time.elapsed_s();
  const Stopwatch solve_time;
  const Eigen::MatrixXd direct_currents = direct.output_currents(inputs_volt);
  validation.direct_solve_s = solve_time.elapsed_s();

  // 2. The same circuit in ngspice.
  const Stopwatch spice_time;
  const Eigen::MatrixXd spice_currents =
      spice::simulate_tile(pool, network, inputs_volt, simulation_options);
  validation.spice_s = spice_time.elapsed_s();

  // 3. The parasitic-free baseline.
  const Stopwatch ideal_time;
  const Eigen::MatrixXd ideal_currents = solver::ideal_output_currents(tile, inputs_volt);
  validation.ideal_s = ideal_time.elapsed_s();

  // 4. Compare against the reference.
  validation.spice_vs_direct = solver::compare_currents(spice_currents, direct_currents);
  validation.ideal_vs_direct = solver::compare_currents(ideal_currents, direct_currents);
  return validation;
}

void print_validation(std::ostream& out, const TileValidation& validation,
                      Eigen::Index samples_listed, Eigen::Index first_sample) {
  const double direct_s = validation.direct_factorise_s + validation.direct_solve_s;
  const auto row = [&](const char* method, double seconds, const std::string& difference,
                       const std::string& tolerance) {
    out << "  " << std::left << std::setw(9) << method << std::right << std::setw(12)
        << std::setprecision(4) << seconds << std::setw(14) << std::setprecision(4)
        << seconds / direct_s << std::setw(25) << difference << std::setw(12) << tolerance << "\n";
  };
  const auto scientific = [](double value) {
    std::ostringstream text;
    text << std::scientific << std::setprecision(2) << value;
    return text.str();
  };
  out << "  " << std::left << std::setw(9) << "method" << std::right << std::setw(12) << "time (s)"
      << std::setw(14) << "x direct" << std::setw(25) << "max rel. diff vs direct" << std::setw(12)
      << "tolerance"
      << "\n";
  row("ngspice", validation.spice_s, scientific(validation.spice_vs_direct.max_relative),
      scientific(validation.tolerance_relative));
  row("direct", direct_s, "(reference)", "1.00e-09");
  row("ideal", validation.ideal_s, scientific(validation.ideal_vs_direct.max_relative),
      "(no wires)");
  out << "  ideal: I = G^T V with every wire and periphery resistance taken as 0; its difference"
      << " from direct\n  (" << std::fixed << std::setprecision(1)
      << 100.0 * validation.ideal_vs_direct.max_relative << std::defaultfloat
      << " % of the largest output current) is the error of ignoring the parasitics, not a fault\n";

  const auto& per_sample = validation.spice_vs_direct.relative_per_sample;
  std::vector<Eigen::Index> order(static_cast<std::size_t>(per_sample.size()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return per_sample(a) > per_sample(b); });
  const auto listed = std::min<std::size_t>(order.size(), static_cast<std::size_t>(samples_listed));
  if (listed > 0) {
    out << "  ngspice vs direct per input vector" << (listed < order.size() ? " (worst first)" : "")
        << ":";
    for (std::size_t s = 0; s < listed; ++s) {
      out << (s % 6 == 0 ? "\n    " : "  ") << "#" << first_sample + order[s] << " "
          << scientific(per_sample(order[s]));
    }
    out << "\n";
  }
  out << "  agreement: ngspice vs direct " << scientific(validation.spice_vs_direct.max_relative)
      << (validation.passed() ? " <= " : " > ") << scientific(validation.tolerance_relative)
      << (validation.passed() ? "  PASS" : "  FAIL") << "\n";
}

void record_validation(JsonObject& summary, const TileValidation& validation,
                       Eigen::Index first_sample) {
  summary.set("spice_vs_direct_max_relative", validation.spice_vs_direct.max_relative);
  summary.set("worst_vector", first_sample + validation.spice_vs_direct.worst_sample);
  summary.set("tolerance_relative", validation.tolerance_relative);
  summary.set("ideal_vs_direct_max_relative", validation.ideal_vs_direct.max_relative);
  summary.set("passed", validation.passed());
  auto& times = summary.object("time_s");
  times.set("ngspice", validation.spice_s);
  times.set("direct_factorise", validation.direct_factorise_s);
  times.set("direct_solve", validation.direct_solve_s);
  times.set("ideal", validation.ideal_s);
}

}  // namespace imcosim::cli
