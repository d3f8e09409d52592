#include <algorithm>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "command_line.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/memory_budget.hpp"
#include "imcosim/solver/error.hpp"
#include "imcosim/solver/tile_solver.hpp"
#include "run_output.hpp"
#include "stopwatch.hpp"
#include "thread_option.hpp"

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

// What --node-voltages asks for: input vectors by index, in the order given, the vector with the
// largest IR drop and the mean over every vector.
struct NodeVoltageRequest {
  std::string text;  // as given, for messages
  std::vector<long> samples;
  bool worst = false;
  bool mean = false;

  [[nodiscard]] std::uint64_t map_count() const {
    return samples.size() + (worst ? 1U : 0U) + (mean ? 1U : 0U);
  }
  // One index alone keeps the file layout from before maps could be several: /row_node_voltages,
  // /column_node_voltages and the attribute node_voltage_sample.
  [[nodiscard]] bool single_sample() const { return samples.size() == 1 && !worst && !mean; }
};

NodeVoltageRequest node_voltage_request(const std::string& text) {
  NodeVoltageRequest request;
  request.text = text;
  std::set<std::string> seen;  // as the maps are named: 7 and 007 are the same vector
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    std::string name = part;
    if (part == "worst") {
      request.worst = true;
    } else if (part == "mean") {
      request.mean = true;
    } else if (!part.empty() && part.size() <= 18 &&
               part.find_first_not_of("0123456789") == std::string::npos) {
      request.samples.push_back(std::stol(part));
      name = std::to_string(request.samples.back());
    } else {
      throw UsageError("--node-voltages " + text + ": '" + part +
                       "' is not an input vector index, worst or mean");
    }
    if (!seen.insert(name).second) {
      throw UsageError("--node-voltages " + text + ": '" + part + "' is named twice");
    }
  }
  if (request.map_count() == 0 || text.ends_with(',')) {
    throw UsageError("--node-voltages " + text +
                     ": expected input vector indices, worst or mean, separated by commas");
  }
  return request;
}

// Refuses indices beyond the problem's vectors and maps that would not fit in memory, before
// anything is solved or allocated.
void check_node_voltage_request(const NodeVoltageRequest& request, const std::string& problem_path,
                                const io::CrossbarProblem& problem) {
  const long sample_count = problem.inputs_volt.rows();
  for (const long sample : request.samples) {
    check_sample_option("--node-voltages", sample, problem_path, sample_count);
  }
  const auto m = static_cast<std::uint64_t>(problem.tile.rows());
  const auto n = static_cast<std::uint64_t>(problem.tile.cols());
  const auto k = static_cast<std::uint64_t>(sample_count);
  // Every map is a row and a column matrix of M x N doubles. Besides the maps kept, the one of
  // the vector being solved and the writer's copy of one dataset are held; and the problem and
  // the currents are in memory all along.
  const std::uint64_t map_bytes = saturating_product({2, m, n, sizeof(double)});
  const std::uint64_t bytes = saturating_sum(
      {saturating_product({request.map_count() + 2, map_bytes}),
       saturating_product({saturating_sum({saturating_product({m, n}), saturating_product({k, m}),
                                           saturating_product({k, n})}),
                           sizeof(double)})});
  const std::string shortfall = memory_shortfall(
      bytes, std::to_string(request.map_count()) + " maps of " + std::to_string(m) + " x " +
                 std::to_string(n) + " row and column node voltages");
  if (!shortfall.empty()) {
    throw UsageError(problem_path + ": --node-voltages " + request.text + ": " + shortfall +
                     "; ask for fewer maps");
  }
}

io::NodeVoltageMap vector_map(const solver::TileSolver& tile_solver,
                              const Eigen::MatrixXd& inputs_volt, long sample,
                              io::NodeVoltageMap::Kind kind) {
  const Eigen::VectorXd input_volt = inputs_volt.row(sample).transpose();
  auto voltages = tile_solver.node_voltages(input_volt);
  return {.kind = kind,
          .sample = sample,
          .ir_drop_volt = solver::ir_drop_volt(input_volt, voltages),
          .row_volt = std::move(voltages.row_volt),
          .column_volt = std::move(voltages.column_volt)};
}

// The requested maps, in the order given, then the worst and the mean. Those two take every
// vector's node voltages, one vector at a time, so that only the running maps are held.
std::vector<io::NodeVoltageMap> node_voltage_maps(const NodeVoltageRequest& request,
                                                  const solver::TileSolver& tile_solver,
                                                  const Eigen::MatrixXd& inputs_volt) {
  using Kind = io::NodeVoltageMap::Kind;
  std::vector<io::NodeVoltageMap> maps;
  for (const long sample : request.samples) {
    maps.push_back(vector_map(tile_solver, inputs_volt, sample, Kind::sample));
  }
  if (!request.worst && !request.mean) {
    return maps;
  }
  std::optional<io::NodeVoltageMap> worst;
  io::NodeVoltageMap mean;
  mean.kind = Kind::mean;
  for (Eigen::Index k = 0; k < inputs_volt.rows(); ++k) {
    auto map = vector_map(tile_solver, inputs_volt, k, Kind::worst);
    if (request.mean) {
      if (k == 0) {
        mean.row_volt = map.row_volt;
        mean.column_volt = map.column_volt;
      } else {
        mean.row_volt += map.row_volt;
        mean.column_volt += map.column_volt;
      }
    }
    // The first vector of the largest drop, so that ties resolve the same way on every run.
    if (request.worst && (!worst || map.ir_drop_volt > worst->ir_drop_volt)) {
      worst = std::move(map);
    }
  }
  if (worst) {
    maps.push_back(std::move(*worst));
  }
  if (request.mean) {
    const auto vectors = static_cast<double>(inputs_volt.rows());
    mean.row_volt /= vectors;
    mean.column_volt /= vectors;
    maps.push_back(std::move(mean));
  }
  return maps;
}

}  // namespace

int run_solve(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "solve", "PROBLEM.h5 -o RESULT.h5 [--method METHOD] [--node-voltages LIST]",
      "Solves the crossbar tile in PROBLEM.h5 for every input vector and writes the output\n"
      "currents to RESULT.h5 (/currents [K][N], amperes). Methods (docs/solvers.md):\n"
      "  auto       (default) picks direct, transfer or iterative from the size and batch\n"
      "  direct     exact nodal analysis, sparse Cholesky (CHOLMOD); tolerance 1e-9 relative\n"
      "  transfer   exact N x M transfer matrix extracted once, then one mat-vec per vector;\n"
      "             tolerance 1e-9 relative\n"
      "  iterative  matrix-free preconditioned conjugate gradients, O(MN) memory; tolerance\n"
      "             1e-9 relative (Kirchhoff residual bound)\n"
      "  ideal      no wire, source or sense resistance: I = G^T V (no claim about parasitics)\n"
      "--node-voltages also writes IR-drop maps, every row and column node voltage [M][N]:\n"
      "  K          of input vector K: /row_node_voltages, /column_node_voltages\n"
      "  K1,K2,...  of each of these vectors: /node_voltages/sample_<k>/{row,column}\n"
      "  worst      of the vector with the largest IR drop, max |ideal - actual| over the\n"
      "             nodes (ideal: driver voltage on row nodes, 0 V on column nodes):\n"
      "             /node_voltages/worst\n"
      "  mean       the element-wise mean over every vector: /node_voltages/mean\n"
      "  combined with commas, e.g. 0,3,worst,mean (docs/file-formats.md). worst and mean\n"
      "  solve every vector's node voltages once more; maps that would not fit in memory are\n"
      "  refused before anything is solved.");
  syntax.options.add_options()("problem", po::value<std::string>()->required(),
                               "crossbar problem file (HDF5)")(
      "output,o", po::value<std::string>()->required(), "result file to write (HDF5)")(
      "method", po::value<std::string>()->default_value("auto"),
      "auto, direct, transfer, iterative or ideal")(
      "max-iterations", po::value<long>()->default_value(solver::IterativeOptions{}.max_iterations),
      "iteration limit per input vector of the iterative method")(
      "node-voltages", po::value<std::string>(),
      "also write IR-drop maps: input vector indices, worst and/or mean, comma-separated");
  syntax.positional.add("problem", 1);
  syntax.input_files = {"problem"};
  syntax.output_files = {"output"};
  add_thread_option(syntax, "threads of the solver (default: one per core)");
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  apply_thread_option(*values);
  const auto requested = method_option((*values)["method"].as<std::string>());
  solver::IterativeOptions iterative_options;
  iterative_options.max_iterations = (*values)["max-iterations"].as<long>();
  if (iterative_options.max_iterations < 1) {
    throw UsageError("--max-iterations must be at least 1");
  }
  std::optional<NodeVoltageRequest> node_request;
  if (values->count("node-voltages") != 0) {
    node_request = node_voltage_request((*values)["node-voltages"].as<std::string>());
  }

  // 1. Read and validate the problem.
  const Stopwatch read_time;
  const std::string problem_path = (*values)["problem"].as<std::string>();
  const auto problem = io::read_crossbar_problem(problem_path);
  io::CrossbarResult result;
  result.timings_s.emplace_back("read", read_time.elapsed_s());
  result.text_attributes.emplace_back("problem_file", problem_path);
  if (node_request) {
    check_node_voltage_request(*node_request, problem_path, problem);
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
  if (node_request) {
    const Stopwatch node_voltages_time;
    auto maps = node_voltage_maps(*node_request, *tile_solver, problem.inputs_volt);
    result.timings_s.emplace_back("node_voltages", node_voltages_time.elapsed_s());
    if (node_request->single_sample()) {
      result.node_voltage_sample = maps.front().sample;
      result.row_node_voltages_volt = std::move(maps.front().row_volt);
      result.column_node_voltages_volt = std::move(maps.front().column_volt);
    } else {
      result.node_voltage_maps = std::move(maps);
    }
  }

  // 3. Write the result atomically.
  const std::string output_path = (*values)["output"].as<std::string>();
  io::write_crossbar_result(output_path, result);
  auto& out = summary_out();
  out << "solved " << problem.tile.rows() << "x" << problem.tile.cols() << " tile, "
      << problem.inputs_volt.rows() << " input vectors, method " << result.method << ":";
  auto& summary = json_summary();
  summary.set("problem", problem_path)
      .set("rows", problem.tile.rows())
      .set("cols", problem.tile.cols())
      .set("vectors", problem.inputs_volt.rows())
      .set("method", result.method)
      .set("tolerance_relative", result.tolerance_relative);
  for (const auto& [phase, seconds] : result.timings_s) {
    out << " " << phase << " " << seconds << " s";
    summary.object("time_s").set(phase, seconds);
  }
  for (const auto& [name, value] : solution.statistics) {
    out << "; " << name << " " << value;
    summary.object("statistics").set(name, value);
  }
  out << "; wrote " << output_path << "\n";
  summary.set("output", output_path);
  return 0;
}

}  // namespace imcosim::cli
