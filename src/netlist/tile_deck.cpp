#include "imcosim/netlist/tile_deck.hpp"

#include <array>
#include <charconv>
#include <sstream>

namespace imcosim::netlist {

namespace {

using circuit::TileNetwork;

std::string resistor_name(const TileNetwork::Resistor& resistor) {
  switch (resistor.kind) {
    case TileNetwork::ResistorKind::row_wire:
      return "Rrow" + std::to_string(resistor.i) + "_" + std::to_string(resistor.j);
    case TileNetwork::ResistorKind::column_wire:
      return "Rcol" + std::to_string(resistor.i) + "_" + std::to_string(resistor.j);
    case TileNetwork::ResistorKind::device:
      return "Rdev" + std::to_string(resistor.i) + "_" + std::to_string(resistor.j);
    case TileNetwork::ResistorKind::source:
      return "Rsrc" + std::to_string(resistor.i);
    case TileNetwork::ResistorKind::sense:
      return "Rsns" + std::to_string(resistor.j);
  }
  return {};
}

std::string driver_name(const TileNetwork::Drive& drive) {
  return "Vin" + std::to_string(drive.input);
}

// The elements every deck shares: resistors and the sense ammeters. Inputs differ per deck.
void append_passive_elements(std::vector<std::string>& lines, const TileNetwork& network) {
  const auto resistors = tile_resistor_lines(network);
  lines.insert(lines.end(), resistors.begin(), resistors.end());
  for (const auto& sense : network.senses()) {
    lines.push_back(sense_source_name(sense.output) + " " + network.node_name(sense.node) +
                    " 0 DC 0");
  }
}

std::string title_line(const TileNetwork& network, std::string_view title) {
  return "* " + std::string(title) + " (" + std::to_string(network.input_count()) + "x" +
         std::to_string(network.output_count()) + " crossbar tile, written by imcosim)";
}

}  // namespace

std::string spice_number(double value) {
  std::array<char, 32> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
  return {text.data(), result.ptr};
}

std::vector<std::string> tile_resistor_lines(const TileNetwork& network) {
  std::vector<std::string> lines;
  lines.reserve(network.resistors().size());
  for (const auto& resistor : network.resistors()) {
    lines.push_back(resistor_name(resistor) + " " + network.node_name(resistor.a) + " " +
                    network.node_name(resistor.b) + " " + spice_number(1.0 / resistor.g_siemens));
  }
  return lines;
}

std::string sense_source_name(Eigen::Index output) { return "Vsense_" + std::to_string(output); }

std::string sense_current_vector(Eigen::Index output) {
  return "vsense_" + std::to_string(output) + "#branch";
}

void write_standalone_tile_deck(std::ostream& out, const TileNetwork& network,
                                const Eigen::VectorXd& inputs_volt, std::string_view title,
                                std::string_view solver_option) {
  std::vector<std::string> lines{title_line(network, title)};
  if (!solver_option.empty()) {
    lines.emplace_back(solver_option);
  }
  for (const auto& drive : network.drives()) {
    lines.push_back(driver_name(drive) + " " + network.node_name(drive.node) + " 0 DC " +
                    spice_number(inputs_volt(drive.input)));
  }
  append_passive_elements(lines, network);
  lines.insert(lines.end(), {".control", "set numdgt=15", "op"});
  for (Eigen::Index j = 0; j < network.output_count(); ++j) {
    const std::string name = "i_out_" + std::to_string(j);
    lines.push_back("let " + name + " = " + sense_current_vector(j));
    lines.push_back("print " + name);
  }
  // Without an explicit quit, `ngspice -b` exits 1 after a control block even on success;
  // a deck that fails to load still exits 1 because the block never runs.
  lines.insert(lines.end(), {"quit 0", ".endc", ".end"});
  for (const auto& line : lines) {
    out << line << '\n';
  }
}

std::vector<std::string> tile_batch_deck(const TileNetwork& network,
                                         const Eigen::MatrixXd& inputs_volt,
                                         std::string_view title) {
  const Eigen::Index sample_count = inputs_volt.rows();
  std::vector<std::string> lines{title_line(network, title)};
  if (sample_count == 1) {
    for (const auto& drive : network.drives()) {
      lines.push_back(driver_name(drive) + " " + network.node_name(drive.node) + " 0 DC " +
                      spice_number(inputs_volt(0, drive.input)));
    }
  } else {
    lines.push_back("Vsample sample 0 DC 0");
    constexpr Eigen::Index points_per_line = 8;
    for (const auto& drive : network.drives()) {
      std::ostringstream source;
      source << "B" << driver_name(drive).substr(1) << " " << network.node_name(drive.node)
             << " 0 V=pwl(v(sample)";
      for (Eigen::Index k = 0; k < sample_count; ++k) {
        source << (k % points_per_line == 0 ? "\n+ , " : ", ") << k << ", "
               << spice_number(inputs_volt(k, drive.input));
      }
      source << ")";
      std::istringstream split(source.str());
      for (std::string line; std::getline(split, line);) {
        lines.push_back(line);
      }
    }
  }
  append_passive_elements(lines, network);
  lines.push_back(sample_count == 1 ? std::string(".op")
                                    : ".dc Vsample 0 " + std::to_string(sample_count - 1) + " 1");
  lines.push_back(".end");
  return lines;
}

}  // namespace imcosim::netlist
