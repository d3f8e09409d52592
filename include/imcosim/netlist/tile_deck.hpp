#pragma once

#include <Eigen/Core>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "imcosim/circuit/tile_network.hpp"

namespace imcosim::netlist {

// Name of the 0 V ammeter source at output j's virtual ground. Its branch current (the vector
// "vsense_<j>#branch") is I_out[j], the current flowing into that virtual ground.
std::string sense_source_name(Eigen::Index output);

// Shortest decimal text that reads back to the same double: netlists carry exact values.
std::string spice_number(double value);

// One SPICE resistor line per resistor of the network ("Rdev3_4 r3_4 c3_4 5000"), node names
// as TileNetwork::node_name gives them; shared by every deck that contains a tile.
std::vector<std::string> tile_resistor_lines(const circuit::TileNetwork& network);
std::string sense_current_vector(Eigen::Index output);

// A standalone deck for `ngspice -b`: the tile driven by one input vector, an operating point,
// and one printed line per output, "i_out_<j> = <amperes>", with 16 significant digits.
// `solver_option` (e.g. ".options klu"), when not empty, follows the title line.
void write_standalone_tile_deck(std::ostream& out, const circuit::TileNetwork& network,
                                const Eigen::VectorXd& inputs_volt, std::string_view title,
                                std::string_view solver_option = {});

// A deck that evaluates K input vectors (rows of `inputs_volt`) in one analysis, for the
// shared-library runs. Sparse 1.3 (ngspice 39 has no KLU) spends most of a crossbar run
// reordering the matrix, and it reorders again at every new `op`; one DC sweep reorders once. The
// sweep variable is the sample index k = 0..K-1, and each input is a B source that maps k to
// V_in[k] by piecewise-linear interpolation, exact at the integer points. Point k of vector
// sense_current_vector(j) is then I_out[k][j]. With K = 1 the deck is a plain operating point.
std::vector<std::string> tile_batch_deck(const circuit::TileNetwork& network,
                                         const Eigen::MatrixXd& inputs_volt,
                                         std::string_view title);

}  // namespace imcosim::netlist
