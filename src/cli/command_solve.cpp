#include <algorithm>
#include <iostream>
#include <sstream>

#include "command_line.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/solver/error.hpp"
#include "imcosim/solver/tile_solver.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

solver::SolverMethod method_option(const std::string& name) {
  try {
    return solver::parse_method(name);
  } catch (const solver::SolverError&) {
    throw UsageError("--method must be auto, direct, transfer, iterative or ideal, not '" + name +
                     "'");
  }
}

std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

}  // namespace

int run_solve(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "solve", "PROBLEM.h5 -o RESULT.h5 [--method METHOD] [--node-voltages K]",
      "Solves the crossbar tile in PROBLEM.h5 for every input vector and writes the output\n"
      "currents to RESULT.h5 (/currents [K][N], amperes). Methods (docs/solvers.md):\n"
      "  auto       (default) picks direct, transfer or iterative from the size and batch\n"
      "  direct     exact nodal analysis, sparse Cholesky (CHOLMOD); tolerance 1e-9 relative\n"
      "  transfer   exact N x M transfer matrix extracted once, then one mat-vec per vector;\n"
      "             tolerance 1e-9 relative\n"
      "  iterative  matrix-free preconditioned conjugate gradients, O(MN) memory; tolerance\n"
      "             1e-9 relative (Kirchhoff residual bound)\n"
      "  ideal      no wire, source or sense resistance: I = G^T V (no claim about parasitics)");
  syntax.options.add_options()("problem", po::value<std::string>()->required(),
                               "crossbar problem file (HDF5)")(
      "output,o", po::value<std::string>()->required(), "result file to write (HDF5)")(
      "method", po::value<std::string>()->default_value("auto"),
      "auto, direct, transfer, iterative or ideal")(
      "max-iterations", po::value<long>()->default_value(solver::IterativeOptions{}.max_iterations),
      "iteration limit per input vector of the iterative method")(
      "node-voltages", po::value<long>(),
      "also write every row and column node voltage (IR-drop map) for input vector K");
  syntax.positional.add("problem", 1);
  syntax.input_files = {"problem"};
  syntax.output_files = {"output"};
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const auto requested = method_option((*values)["method"].as<std::string>());
  solver::IterativeOptions iterative_options;
  iterative_options.max_iterations = (*values)["max-iterations"].as<long>();
  if (iterative_options.max_iterations < 1) {
    throw UsageError("--max-iterations must be at least 1");
  }

  // 1. Read and validate the problem.
  const Stopwatch read_time;
  const std::string problem_path = (*values)["problem"].as<std::string>();
  const auto problem = io::read_crossbar_problem(problem_path);
  io::CrossbarResult result;
  result.timings_s.emplace_back("read", read_time.elapsed_s());
  result.text_attributes.emplace_back("problem_file", problem_path);
  if (values->count("node-voltages") != 0) {
    result.node_voltage_sample = (*values)["node-voltages"].as<long>();
    check_sample_option("--node-voltages", result.node_voltage_sample, problem_path,
                        problem.inputs_volt.rows());
  }

  // 2. Prepare the solver (factorise, extract) and solve every input vector.
  const Stopwatch prepare_time;
  const auto tile_solver = solver::make_tile_solver(requested, problem.tile,
                                                    problem.inputs_volt.rows(), iterative_options);
  result.timings_s.emplace_back("prepare", prepare_time.elapsed_s());
  result.method = std::string(solver::method_name(tile_solver->method()));
  if (requested == solver::SolverMethod::automatic) {
    result.text_attributes.emplace_back("method_requested", "auto");
  }
  result.tolerance_relative = tile_solver->tolerance_relative();
  const Stopwatch solve_time;
  auto solution = tile_solver->solve(problem.inputs_volt);
  result.timings_s.emplace_back("solve", solve_time.elapsed_s());
  result.currents_ampere = std::move(solution.currents_ampere);
  for (const auto& [name, value] : solution.statistics) {
    result.text_attributes.emplace_back(name, number_text(value));
    // The iterative solver's guarantee is its Kirchhoff bound, error <= sum |r|. Where rounding
    // the node voltages left a residual sum above 1e-9 (tiles beyond about 1024 x 1024) and the
    // refinement test accepted the solution, that larger sum is the bound this result carries.
    if (name == "residual_relative_max") {
      result.tolerance_relative = std::max(result.tolerance_relative, value);
    }
  }
  if (result.node_voltage_sample >= 0) {
    auto voltages =
        tile_solver->node_voltages(problem.inputs_volt.row(result.node_voltage_sample).transpose());
    result.row_node_voltages_volt = std::move(voltages.row_volt);
    result.column_node_voltages_volt = std::move(voltages.column_volt);
  }

  // 3. Write the result atomically.
  const std::string output_path = (*values)["output"].as<std::string>();
  io::write_crossbar_result(output_path, result);
  std::cerr << "solved " << problem.tile.rows() << "x" << problem.tile.cols() << " tile, "
            << problem.inputs_volt.rows() << " input vectors, method " << result.method << ":";
  for (const auto& [phase, seconds] : result.timings_s) {
    std::cerr << " " << phase << " " << seconds << " s";
  }
  for (const auto& [name, value] : solution.statistics) {
    std::cerr << "; " << name << " " << value;
  }
  std::cerr << "; wrote " << output_path << "\n";
  return 0;
}

}  // namespace imcosim::cli
