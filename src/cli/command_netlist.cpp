#include <iostream>
#include <sstream>

#include "command_line.hpp"
#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/io/error.hpp"
#include "imcosim/netlist/tile_deck.hpp"
#include "run_output.hpp"
#include "spice_options.hpp"

namespace imcosim::cli {

int run_netlist(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "netlist", "PROBLEM.h5 -o TILE.cir [--sample K]",
      "Writes a standalone ngspice deck of the crossbar tile in PROBLEM.h5, driven by input\n"
      "vector K. `ngspice -b TILE.cir` runs an operating point and prints one line per\n"
      "output column: \"i_out_<j> = <amperes>\" (current into the sense virtual ground).\n"
      "Zero resistances become ideal connections (merged nodes), never 0-ohm resistors.");
  syntax.options.add_options()("problem", po::value<std::string>()->required(),
                               "crossbar problem file (HDF5)")(
      "output,o", po::value<std::string>()->required(), "deck to write ('-' for stdout)")(
      "sample", po::value<long>()->default_value(0), "input vector to apply, 0-based");
  add_spice_solver_option(syntax);
  syntax.positional.add("problem", 1);
  syntax.input_files = {"problem"};
  syntax.output_files = {"output"};
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }

  const std::string problem_path = (*values)["problem"].as<std::string>();
  const auto problem = io::read_crossbar_problem(problem_path);
  const long sample = (*values)["sample"].as<long>();
  check_sample_option("--sample", sample, problem_path, problem.inputs_volt.rows());
  const circuit::TileNetwork network(problem.tile);
  const Eigen::VectorXd inputs = problem.inputs_volt.row(sample).transpose();
  const std::string title = problem_path + ", input vector " + std::to_string(sample);
  const std::string solver_option = written_deck_solver_option(*values);

  const std::string output_path = (*values)["output"].as<std::string>();
  if (output_path == "-") {
    netlist::write_standalone_tile_deck(std::cout, network, inputs, title, solver_option);
    return 0;
  }
  std::ostringstream deck;
  netlist::write_standalone_tile_deck(deck, network, inputs, title, solver_option);
  io::write_text_atomically(output_path, deck.str());
  summary_out() << "wrote " << output_path << " (" << problem.tile.rows() << "x"
                << problem.tile.cols() << " tile, " << network.resistors().size()
                << " resistors, input vector " << sample << ")\n";
  json_summary()
      .set("output", output_path)
      .set("rows", problem.tile.rows())
      .set("cols", problem.tile.cols())
      .set("resistors", network.resistors().size())
      .set("vector", sample);
  return 0;
}

}  // namespace imcosim::cli
