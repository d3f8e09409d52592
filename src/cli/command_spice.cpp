#include <iostream>

#include "command_line.hpp"
#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/netlist/deck_file.hpp"
#include "run_output.hpp"
#include "spice_options.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

// `--deck`: the deck's own analyses and control commands, run in a worker; what ngspice prints
// is passed through, so the output matches `ngspice -b` but a failure is detected and reported.
int run_deck(const std::string& deck_path, const spice::WorkerPoolOptions& pool_options) {
  const auto deck = netlist::read_deck_file(deck_path);
  spice::WorkerPool pool(pool_options);
  const auto result = pool.run({deck.circuit_lines, deck.control_commands, {}});
  json_summary().set("deck", deck_path);
  constexpr std::string_view stdout_prefix = "stdout ";
  for (const auto& line : result.messages) {
    if (line.starts_with(stdout_prefix)) {
      summary_out() << line.substr(stdout_prefix.size()) << '\n';
    }
  }
  return 0;
}

}  // namespace

int run_spice(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "spice",
      "PROBLEM.h5 -o RESULT.h5 [--first F] [--count C] [--workers W] [--timeout S]\n"
      "       [--samples-per-run B]\n"
      "       imcosim spice --deck DECK.cir [--timeout S]",
      "Simulates the crossbar tile in PROBLEM.h5 in ngspice (shared library, in isolated\n"
      "worker processes) for every input vector (or the C from vector F on: --first, --count)\n"
      "and writes /currents [K][N] to RESULT.h5, with first_sample = F.\n"
      "Input vectors are evaluated B at a time in one DC sweep, so ngspice reorders its\n"
      "matrix once per batch instead of once per vector. Agreement with an exact solution\n"
      "is stated as 1e-6 relative.\n"
      "With --deck, runs any ngspice deck (e.g. one written by `imcosim netlist` and edited)\n"
      "the same way: its analyses and control commands run in a worker and ngspice's output is\n"
      "printed; errors ngspice reports only as text become exit code 2 with its message.");
  syntax.options.add_options()("problem", po::value<std::string>(), "crossbar problem file (HDF5)")(
      "output,o", po::value<std::string>(), "result file to write (HDF5)")(
      "deck", po::value<std::string>(), "run this ngspice deck instead of a problem file");
  add_sample_range_options(syntax);
  add_spice_options(syntax);
  syntax.positional.add("problem", 1);
  syntax.input_files = {"problem", "deck"};
  syntax.output_files = {"output"};
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const auto pool_options = worker_pool_options(*values);
  if (values->count("deck") != 0) {
    if (values->count("problem") != 0 || values->count("output") != 0) {
      throw UsageError(
          "imcosim spice: --deck runs a deck on its own; give either --deck or "
          "PROBLEM.h5 -o RESULT.h5");
    }
    reject_given_options(*values, {"first", "count"},
                         "selects input vectors of a problem file; a deck holds its own analyses");
    return run_deck((*values)["deck"].as<std::string>(), pool_options);
  }
  if (values->count("problem") == 0 || values->count("output") == 0) {
    throw UsageError(
        "imcosim spice: needs PROBLEM.h5 and -o RESULT.h5 (or --deck DECK.cir); see "
        "'imcosim spice --help'");
  }
  const auto simulation_options = tile_simulation_options(*values);

  // 1. Read and validate the problem.
  const std::string problem_path = (*values)["problem"].as<std::string>();
  const auto problem = io::read_crossbar_problem(problem_path);
  const auto [first, count] = sample_range(*values, problem.inputs_volt.rows(), problem_path);
  const Eigen::MatrixXd inputs_volt = problem.inputs_volt.middleRows(first, count);

  // 2. Simulate the selected input vectors in ngspice.
  spice::WorkerPool pool(pool_options);
  const Stopwatch simulate_time;
  io::CrossbarResult result;
  result.method = "ngspice";
  result.first_sample = first;
  result.currents_ampere = spice::simulate_tile(pool, circuit::TileNetwork(problem.tile),
                                                inputs_volt, simulation_options);
  result.tolerance_relative = spice::spice_tolerance_relative;
  result.timings_s.emplace_back("simulate", simulate_time.elapsed_s());
  result.text_attributes.emplace_back("problem_file", problem_path);
  const auto ngspice = spice::ngspice_info(pool);
  result.text_attributes.emplace_back("ngspice_version", ngspice.version);
  result.text_attributes.emplace_back("ngspice_solver",
                                      std::string(spice::linear_solver_name(ngspice.solver)));

  // 3. Write the result atomically.
  const std::string output_path = (*values)["output"].as<std::string>();
  io::write_crossbar_result(output_path, result);
  summary_out() << "simulated " << problem.tile.rows() << "x" << problem.tile.cols() << " tile, "
                << count << " input vectors in ngspice: " << result.timings_s.front().second
                << " s; wrote " << output_path << "\n";
  json_summary()
      .set("problem", problem_path)
      .set("rows", problem.tile.rows())
      .set("cols", problem.tile.cols())
      .set("first_sample", first)
      .set("vectors", count)
      .set("simulate_s", result.timings_s.front().second)
      .set("ngspice_version", ngspice.version)
      .set("output", output_path);
  return 0;
}

}  // namespace imcosim::cli
