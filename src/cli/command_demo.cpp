#include <iostream>
#include <random>

#include "command_line.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "spice_options.hpp"
#include "thread_option.hpp"
#include "tile_validation.hpp"

namespace imcosim::cli {

namespace {

// Reference IMAC values (docs/design.md): devices between R_high = 15 kohm and R_low = 5 kohm;
// wire segments of a 9 nm node from the size-effect resistivity model.
constexpr double r_low_ohm = 5e3;
constexpr double r_high_ohm = 15e3;
constexpr double r_row_segment_ohm = 11.55;  // horizontal (word line)
constexpr double r_col_segment_ohm = 9.24;   // vertical (bit line)
constexpr double supply_volt = 0.8;

}  // namespace

int run_demo(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "demo", "[--rows M] [--cols N] [--samples K] [--seed S] [--save-problem FILE]",
      "A first look at the crossbar engine (the main job is the TPU-IMAC co-simulation,\n"
      "scripts/main.sh): builds a random crossbar tile with the\n"
      "reference IMAC device and wire values (conductances uniform between 1/15k and 1/5k S,\n"
      "11.55 ohm row and 9.24 ohm column segments, inputs uniform in [-0.8, 0.8] V), runs it\n"
      "through ngspice and the exact direct solver, and prints their agreement and timings.");
  syntax.options.add_options()("rows", po::value<long>()->default_value(64), "tile rows M")(
      "cols", po::value<long>()->default_value(64), "tile columns N")(
      "samples", po::value<long>()->default_value(32), "input vectors K")(
      "seed", po::value<std::uint64_t>()->default_value(1), "random seed (recorded)")(
      "r-source", po::value<double>()->default_value(0.0), "driver series resistance, ohm")(
      "r-sense", po::value<double>()->default_value(0.0), "sense termination resistance, ohm")(
      "save-problem", po::value<std::string>(), "also write the tile as a problem file (HDF5)");
  add_spice_options(syntax);
  add_thread_option(syntax, "threads of the exact solver (default: one per core)");
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  apply_thread_option(*values);
  const long rows = (*values)["rows"].as<long>();
  const long cols = (*values)["cols"].as<long>();
  const long samples = (*values)["samples"].as<long>();
  if (rows < 1 || cols < 1 || samples < 1) {
    throw UsageError("--rows, --cols and --samples must be at least 1");
  }
  const auto seed = (*values)["seed"].as<std::uint64_t>();
  spice::WorkerPool pool(worker_pool_options(*values));
  const auto simulation_options = tile_simulation_options(*values);

  // 1. Draw the tile and its inputs from the seeded generator.
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<double> conductance(1.0 / r_high_ohm, 1.0 / r_low_ohm);
  std::uniform_real_distribution<double> input(-supply_volt, supply_volt);
  Eigen::MatrixXd g_siemens(rows, cols);
  for (auto& g : g_siemens.reshaped()) {
    g = conductance(generator);
  }
  Eigen::MatrixXd inputs_volt(samples, rows);
  for (auto& v : inputs_volt.reshaped()) {
    v = input(generator);
  }
  const io::CrossbarProblem problem{
      circuit::CrossbarTile(g_siemens,
                            {.r_row_ohm = r_row_segment_ohm,
                             .r_col_ohm = r_col_segment_ohm,
                             .r_source_ohm = (*values)["r-source"].as<double>(),
                             .r_sense_ohm = (*values)["r-sense"].as<double>()},
                            "--r-source/--r-sense"),
      inputs_volt};
  if (values->count("save-problem") != 0) {
    io::write_crossbar_problem((*values)["save-problem"].as<std::string>(), problem);
  }

  // 2. ngspice, direct and ideal on the same circuit.
  summary_out() << "imcosim demo: " << rows << "x" << cols << " crossbar tile, " << samples
                << " input vectors, seed " << seed << ", " << pool.options().worker_count
                << " ngspice workers\n"
                << "  devices " << r_low_ohm / 1e3 << "-" << r_high_ohm / 1e3 << " kohm, r_row "
                << r_row_segment_ohm << " ohm, r_col " << r_col_segment_ohm << " ohm, r_source "
                << problem.tile.wires().r_source_ohm << " ohm, r_sense "
                << problem.tile.wires().r_sense_ohm << " ohm\n";
  const auto validation =
      validate_tile(problem.tile, problem.inputs_volt, pool, simulation_options);

  // 3. Report.
  print_validation(summary_out(), validation, 12);
  auto& summary = json_summary();
  summary.set("rows", rows).set("cols", cols).set("vectors", samples).set("seed", seed);
  record_validation(summary, validation);
  return validation.passed() ? 0 : 1;
}

}  // namespace imcosim::cli
