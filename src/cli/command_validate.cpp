#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "command_line.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "run_output.hpp"
#include "spice_options.hpp"
#include "thread_option.hpp"
#include "tile_validation.hpp"
#include "validation_sweep.hpp"

namespace imcosim::cli {

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    parts.push_back(part);
  }
  return parts;
}

double number(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value)) {
    throw UsageError(option + ": '" + text + "' is not a number");
  }
  return value;
}

std::vector<double> resistances(const std::string& text, const std::string& option) {
  std::vector<double> values;
  for (const auto& part : split(text, ',')) {
    values.push_back(number(part, option));
    if (values.back() < 0.0) {
      throw UsageError(option + ": resistances must be >= 0 ohm, not " + part);
    }
  }
  if (values.empty()) {
    throw UsageError(option + " needs at least one value");
  }
  return values;
}

SweepSettings sweep_settings(const po::variables_map& values) {
  SweepSettings settings;
  for (const auto& part : split(values["sizes"].as<std::string>(), ',')) {
    const auto dims = split(part, 'x');
    const auto rows = dims.size() == 2 ? number(dims[0], "--sizes") : 0.0;
    const auto cols = dims.size() == 2 ? number(dims[1], "--sizes") : 0.0;
    if (dims.size() != 2 || rows < 1.0 || cols < 1.0 || rows != std::floor(rows) ||
        cols != std::floor(cols)) {
      throw UsageError("--sizes: '" + part + "' is not ROWSxCOLS with positive integers");
    }
    settings.sizes.push_back({static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols)});
  }
  settings.wire_ohms = resistances(values["wires"].as<std::string>(), "--wires");
  settings.periphery_ohms = resistances(values["periphery"].as<std::string>(), "--periphery");
  for (const auto& part : split(values["conductances"].as<std::string>(), ',')) {
    const auto bounds = split(part, ':');
    if (bounds.size() != 2) {
      throw UsageError("--conductances: '" + part + "' is not GMIN:GMAX (siemens)");
    }
    const double g_min = number(bounds[0], "--conductances");
    const double g_max = number(bounds[1], "--conductances");
    if (!(g_min > 0.0) || g_max < g_min) {
      throw UsageError("--conductances: '" + part + "' needs 0 < GMIN <= GMAX");
    }
    settings.conductance_ranges.push_back({g_min, g_max});
  }
  if (settings.sizes.empty() || settings.conductance_ranges.empty()) {
    throw UsageError("--sizes and --conductances need at least one value each");
  }
  const long seed = values["seed"].as<long>();
  const long seeds = values["seeds"].as<long>();
  const long samples = values["samples"].as<long>();
  if (seed < 0 || seeds < 1 || samples < 1) {
    throw UsageError("--seed must be >= 0, --seeds and --samples >= 1");
  }
  settings.first_seed = static_cast<std::uint64_t>(seed);
  settings.seed_count = seeds;
  settings.samples = samples;
  settings.spice_max_size = values["spice-max-size"].as<long>();
  return settings;
}

// validate --sweep: each case printed as it finishes; with -o the report is rewritten after each
// case, and a run that stopped resumes from it.
int run_validation_sweep(const po::variables_map& values, spice::WorkerPool& pool,
                         const spice::TileSimulationOptions& simulation_options) {
  const auto settings = sweep_settings(values);
  const std::optional<std::filesystem::path> output_path =
      values.count("output") != 0
          ? std::optional<std::filesystem::path>(values["output"].as<std::string>())
          : std::nullopt;
  SweepReport report;
  report.columns = sweep_columns();
  if (output_path && std::filesystem::exists(*output_path)) {
    report = read_sweep_report(*output_path, settings);
  }
  const auto total_cases = sweep_cases(settings).size();
  if (!report.cases.empty()) {
    notes_out() << "resuming " << output_path->string() << " after " << report.cases.size()
                << " of " << total_cases << " cases\n";
  }
  print_sweep_header(summary_out(), report.columns);
  for (const auto& c : report.cases) {
    print_sweep_case(summary_out(), c, report.columns);
  }
  auto quiet_options = simulation_options;
  quiet_options.on_progress = nullptr;  // the table reports every case
  run_sweep(settings, pool, quiet_options, report, [&](const SweepReport& so_far) {
    print_sweep_case(summary_out(), so_far.cases.back(), so_far.columns);
    if (output_path) {
      write_sweep_report(*output_path, settings, so_far);
    }
  });
  print_sweep_verdict(summary_out(), report);
  if (output_path) {
    summary_out() << "wrote " << output_path->string() << "\n";
  }
  record_sweep(json_summary(), report);
  if (output_path) {
    json_summary().set("output", output_path->string());
  }
  return report.passed() ? 0 : 1;
}

}  // namespace

int run_validate(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "validate",
      "PROBLEM.h5 [--first F] [--count C] [--list N] [ngspice options]\n       imcosim validate "
      "--sweep [sweep options] "
      "[-o "
      "REPORT.h5] [ngspice options]",
      "Runs ngspice and the exact direct solver on the crossbar tile in PROBLEM.h5 and\n"
      "reports their maximum relative difference per input vector and overall (relative to\n"
      "the largest output current of each vector). Exits 1 when it exceeds the stated\n"
      "tolerance of 1e-6.\n"
      "With --sweep: random tiles over every combination of --sizes, --wires (r_row = r_col),\n"
      "--periphery (r_source = r_sense), --conductances and --seeds (seeds recorded); ngspice\n"
      "(up to --spice-max-size) and every solver method on identical circuits, each compared\n"
      "with direct. Prints each case as it finishes and exits 1 when any method exceeds its\n"
      "stated tolerance (docs/solvers.md). With -o the HDF5 report is rewritten after every\n"
      "case; run the same command again to resume a sweep that stopped.");
  syntax.options.add_options()("problem", po::value<std::string>(), "crossbar problem file (HDF5)")(
      "list", po::value<long>()->default_value(24), "input vectors to list, worst first")(
      "sweep", po::bool_switch(), "validate every solver method over a sweep of random tiles")(
      "sizes", po::value<std::string>()->default_value("1x1,1x16,16x1,8x8,16x16,32x32,48x24"),
      "sweep: tile sizes ROWSxCOLS, comma-separated")(
      "wires", po::value<std::string>()->default_value("0,0.1,10"),
      "sweep: wire segment resistances (ohm), r_row = r_col")(
      "periphery", po::value<std::string>()->default_value("0,50"),
      "sweep: source and sense resistances (ohm), r_source = r_sense")(
      "conductances", po::value<std::string>()->default_value("1e-6:1e-3"),
      "sweep: device conductance ranges GMIN:GMAX (siemens), drawn log-uniformly")(
      "seed", po::value<long>()->default_value(1), "sweep: seed of the first case (then +1)")(
      "seeds", po::value<long>()->default_value(1), "sweep: random tiles per combination")(
      "samples", po::value<long>()->default_value(4), "sweep: input vectors per tile")(
      "spice-max-size", po::value<long>()->default_value(64),
      "sweep: run ngspice only where rows and columns are at most this")(
      "output,o", po::value<std::string>(), "sweep: HDF5 report to write");
  add_sample_range_options(syntax);
  add_spice_options(syntax);
  syntax.positional.add("problem", 1);
  syntax.input_files = {"problem"};
  syntax.output_files = {"output"};
  add_thread_option(syntax, "threads of the solvers (default: one per core)");
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  apply_thread_option(*values);
  const bool sweep = (*values)["sweep"].as<bool>();
  if (sweep == (values->count("problem") != 0)) {
    throw UsageError(sweep ? "validate --sweep takes no problem file"
                           : "validate needs a problem file or --sweep");
  }
  if (sweep) {
    reject_given_options(
        *values, {"list", "first", "count"},
        "applies to a problem file, not to --sweep (whose table lists every case)");
  } else {
    reject_given_options(*values,
                         {"sizes", "wires", "periphery", "conductances", "seed", "seeds", "samples",
                          "spice-max-size", "output"},
                         "applies only with --sweep (validate PROBLEM.h5 prints its report and "
                         "writes no file)");
  }
  spice::WorkerPool pool(worker_pool_options(*values));
  const auto simulation_options = tile_simulation_options(*values);

  if (sweep) {
    return run_validation_sweep(*values, pool, simulation_options);
  }

  const long list = (*values)["list"].as<long>();
  if (list < 0) {
    throw UsageError("--list " + std::to_string(list) +
                     " is negative; it counts the input vectors to list (0: none)");
  }
  const std::string problem_path = (*values)["problem"].as<std::string>();
  const auto problem = io::read_crossbar_problem(problem_path);
  const auto [first, count] = sample_range(*values, problem.inputs_volt.rows(), problem_path);
  const auto validation = validate_tile(problem.tile, problem.inputs_volt.middleRows(first, count),
                                        pool, simulation_options);
  summary_out() << "validate " << problem_path << ": " << problem.tile.rows() << "x"
                << problem.tile.cols() << " tile, input vectors " << first << " to "
                << first + count - 1 << " of " << problem.inputs_volt.rows() << "\n";
  print_validation(summary_out(), validation, list, first);
  auto& summary = json_summary();
  summary.set("problem", problem_path)
      .set("rows", problem.tile.rows())
      .set("cols", problem.tile.cols())
      .set("first_sample", first)
      .set("vectors", count);
  record_validation(summary, validation, first);
  return validation.passed() ? 0 : 1;
}

}  // namespace imcosim::cli
