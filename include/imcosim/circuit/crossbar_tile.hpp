#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string_view>

#include "imcosim/circuit/parameter.hpp"

namespace imcosim::circuit {

// Parasitic and periphery resistances of the canonical tile (docs/design.md). Zero means an
// ideal connection: the two nodes it joins are one node.
struct WireResistances {
  double r_row_ohm = 0.0;     // between row nodes (i, j) and (i, j+1)
  double r_col_ohm = 0.0;     // between column nodes (i, j) and (i+1, j)
  double r_source_ohm = 0.0;  // in series with each input driver
  double r_sense_ohm = 0.0;   // between column node (M-1, j) and the sense virtual ground
};

struct WireParameter {
  ParameterSpec spec;
  double WireResistances::*field;
};

// Bounds that keep every circuit inside what the solvers and ngspice represent: the
// conductances and wire conductances of one tile then span at most 10^30, within double
// precision's reach for the sparse factorisations, and every reciprocal is finite.
inline constexpr double max_wire_resistance_ohm = 1e12;
inline constexpr double min_conductance_siemens = 1e-15;  // 1 petaohm: an open device
inline constexpr double max_conductance_siemens = 1e3;    // 1 milliohm

// The declaration of every WireResistances field, in the problem file's attribute order.
inline constexpr std::array<WireParameter, 4> wire_parameters{{
    {{.name = "r_row",
      .unit = "ohm",
      .minimum = 0.0,
      .maximum = max_wire_resistance_ohm,
      .description = "resistance of one row (word-line) wire segment"},
     &WireResistances::r_row_ohm},
    {{.name = "r_col",
      .unit = "ohm",
      .minimum = 0.0,
      .maximum = max_wire_resistance_ohm,
      .description = "resistance of one column (bit-line) wire segment"},
     &WireResistances::r_col_ohm},
    {{.name = "r_source",
      .unit = "ohm",
      .minimum = 0.0,
      .maximum = max_wire_resistance_ohm,
      .description = "series resistance of each input driver"},
     &WireResistances::r_source_ohm},
    {{.name = "r_sense",
      .unit = "ohm",
      .minimum = 0.0,
      .maximum = max_wire_resistance_ohm,
      .description = "termination resistance into each sense amplifier's virtual ground"},
     &WireResistances::r_sense_ohm},
}};

// Device conductance: 1e-15 ... 1e3 S (an open device is not a crossbar cell).
inline constexpr ParameterSpec conductance_parameter{.name = "conductance",
                                                     .unit = "S",
                                                     .minimum = min_conductance_siemens,
                                                     .maximum = max_conductance_siemens,
                                                     .description = "device conductance"};

// Input voltage of one word line.
inline constexpr ParameterSpec input_voltage_parameter{
    .name = "inputs", .unit = "V", .description = "word-line input voltage"};

// The most devices one tile may have: 2^26 (8192 x 8192). The solvers' documented reach is
// 4096 x 4096 (the matrix-free one); beyond this bound a tile's nodal system alone would take
// gigabytes, so a larger declared tile is refused before anything is read or built.
inline constexpr Eigen::Index max_tile_devices = Eigen::Index{1} << 26;

// Throws CircuitError, prefixed with `where`, when a rows x cols tile has more than
// max_tile_devices devices.
void check_tile_size(std::uint64_t rows, std::uint64_t cols, std::string_view where);

// An M x N crossbar tile: M rows (word lines, inputs) by N columns (bit lines, outputs).
// Valid once constructed: the constructor checks every value against its declaration.
class CrossbarTile {
 public:
  // `where` names the origin of the values (a file and dataset) for error messages.
  CrossbarTile(Eigen::MatrixXd conductance_siemens, WireResistances wires,
               std::string_view where = "crossbar tile");

  [[nodiscard]] Eigen::Index rows() const noexcept { return conductance_siemens_.rows(); }
  [[nodiscard]] Eigen::Index cols() const noexcept { return conductance_siemens_.cols(); }
  [[nodiscard]] const Eigen::MatrixXd& conductance_siemens() const noexcept {
    return conductance_siemens_;
  }
  [[nodiscard]] const WireResistances& wires() const noexcept { return wires_; }

 private:
  Eigen::MatrixXd conductance_siemens_;
  WireResistances wires_;
};

// Checks that `inputs_volt` (K x M, one input vector per row) fits `tile` and is finite.
void check_inputs(const CrossbarTile& tile, const Eigen::MatrixXd& inputs_volt,
                  std::string_view where);

}  // namespace imcosim::circuit
