#include "imcosim/circuit/crossbar_tile.hpp"

#include <algorithm>
#include <string>

#include "imcosim/circuit/error.hpp"

namespace imcosim::circuit {

namespace {

std::string element_where(std::string_view where, Eigen::Index i, Eigen::Index j) {
  return std::string(where) + "[" + std::to_string(i) + "][" + std::to_string(j) + "]";
}

}  // namespace

void check_tile_size(std::uint64_t rows, std::uint64_t cols, std::string_view where) {
  if (rows > static_cast<std::uint64_t>(max_tile_devices) / std::max<std::uint64_t>(cols, 1)) {
    throw CircuitError(std::string(where) + ": a " + std::to_string(rows) + " x " +
                       std::to_string(cols) + " tile exceeds the " +
                       std::to_string(max_tile_devices) +
                       " devices (8192 x 8192) a tile may have; partition it into tiles");
  }
}

CrossbarTile::CrossbarTile(Eigen::MatrixXd conductance_siemens, WireResistances wires,
                           std::string_view where)
    : conductance_siemens_(std::move(conductance_siemens)), wires_(wires) {
  if (conductance_siemens_.rows() == 0 || conductance_siemens_.cols() == 0) {
    throw CircuitError(std::string(where) + ": the conductance matrix is empty (" +
                       std::to_string(conductance_siemens_.rows()) + " x " +
                       std::to_string(conductance_siemens_.cols()) +
                       "); a tile needs at least one row and one column");
  }
  check_tile_size(static_cast<std::uint64_t>(conductance_siemens_.rows()),
                  static_cast<std::uint64_t>(conductance_siemens_.cols()), where);
  for (Eigen::Index i = 0; i < rows(); ++i) {
    for (Eigen::Index j = 0; j < cols(); ++j) {
      conductance_parameter.check(conductance_siemens_(i, j), element_where(where, i, j));
    }
  }
  for (const auto& parameter : wire_parameters) {
    parameter.spec.check(wires_.*parameter.field, where);
  }
}

void check_inputs(const CrossbarTile& tile, const Eigen::MatrixXd& inputs_volt,
                  std::string_view where) {
  if (inputs_volt.cols() != tile.rows()) {
    throw CircuitError(std::string(where) + ": input vectors have " +
                       std::to_string(inputs_volt.cols()) + " entries but the tile has " +
                       std::to_string(tile.rows()) + " rows; expected shape [K][" +
                       std::to_string(tile.rows()) + "]");
  }
  if (inputs_volt.rows() == 0) {
    throw CircuitError(std::string(where) + ": no input vectors (K = 0); expected at least one");
  }
  for (Eigen::Index k = 0; k < inputs_volt.rows(); ++k) {
    for (Eigen::Index i = 0; i < inputs_volt.cols(); ++i) {
      input_voltage_parameter.check(inputs_volt(k, i), element_where(where, k, i));
    }
  }
}

}  // namespace imcosim::circuit
