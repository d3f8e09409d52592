#include "imcosim/imac/deck.hpp"

#include <algorithm>
#include <cmath>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/imac/error.hpp"
#include "imcosim/netlist/library.hpp"
#include "imcosim/netlist/tile_deck.hpp"
#include "imcosim/solver/transfer_solver.hpp"

namespace imcosim::imac {

namespace {

using netlist::spice_number;
using Lines = std::vector<std::string>;

std::string index_text(Eigen::Index value) { return std::to_string(value); }

void append_library(Lines& lines, std::string_view file_name) {
  const auto library = netlist::library_lines(file_name);
  lines.insert(lines.end(), library.begin(), library.end());
}

// Breaks a long element line into SPICE continuation lines of `per_line` items.
void append_wrapped(Lines& lines, const std::string& head, const std::vector<std::string>& items,
                    const std::string& tail, std::size_t per_line) {
  std::string line = head;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k > 0 && k % per_line == 0) {
      lines.push_back(line);
      line = "+";
    }
    line += " " + items[k];
  }
  lines.push_back(line + tail);
}

std::string tile_subcircuit_name(std::size_t layer, std::size_t p, std::size_t q) {
  return "imac_l" + std::to_string(layer) + "_tile" + std::to_string(p) + "_" + std::to_string(q);
}

std::string partial_node(std::size_t layer, std::size_t p, Eigen::Index neuron) {
  return "l" + std::to_string(layer) + "_p" + std::to_string(p) + "_n" + index_text(neuron);
}

std::string line_node(std::size_t layer, std::size_t p, Eigen::Index neuron, bool plus) {
  return partial_node(layer, p, neuron) + (plus ? "_plus" : "_minus");
}

std::string summer_junction_node(std::size_t layer, Eigen::Index neuron) {
  return "l" + std::to_string(layer) + "_sum" + index_text(neuron);
}

std::string neuron_input_node(std::size_t layer, Eigen::Index neuron) {
  return "l" + std::to_string(layer) + "_nin" + index_text(neuron);
}

// Instance names, in lower case as ngspice writes them in node paths: a partition's difference
// amplifier, the op-amp inside it, a line's TIA and a neuron's summer.
std::string amplifier_instance(std::size_t layer, std::size_t p, Eigen::Index neuron) {
  return "xamp_" + partial_node(layer, p, neuron);
}

constexpr std::string_view amplifier_opamp_instance = "xamp";
// The difference amplifier's op-amp input nodes (inside its subcircuit).
constexpr std::string_view amplifier_noninverting_node = "pin";
constexpr std::string_view amplifier_inverting_node = "nin";

std::string tia_instance(const std::string& line) { return "xtia_" + line; }

std::string summer_instance(std::size_t layer, Eigen::Index neuron) {
  return "xsum_l" + std::to_string(layer) + "_n" + index_text(neuron);
}

// The load of every op-amp's gain stage (imac_opamp*.sub): 1 kOhm, or 1 MOhm in a deck started
// from the fast path, whose pulls on the gain nodes must outweigh the stage's gain / r_stage
// siemens (append_starting_hints). The circuit is the same either way.
double opamp_stage_ohm(bool started) { return started ? 1e6 : 1e3; }

std::string opamp_instance(const std::string& instance, const std::string& inp,
                           const std::string& inn, const std::string& out,
                           const ImacParameters& parameters, double r_stage_ohm) {
  std::string line = instance + " " + inp + " " + inn + " " + out + " vdd vss ";
  const std::string stage = " r_stage=" + spice_number(r_stage_ohm);
  if (parameters.opamp_pole_hz > 0.0) {
    return line + "imac_opamp_pole gain=" + spice_number(parameters.opamp_gain) +
           " pole_hz=" + spice_number(parameters.opamp_pole_hz) + stage;
  }
  return line + "imac_opamp gain=" + spice_number(parameters.opamp_gain) + stage;
}

// A tile's exact port admittance Y as resistors between its pins (Kron reduction): the wires and
// cells form a resistive network with no path to ground, so Y is a symmetric Laplacian whose
// off-diagonal entries are the negated conductances between pins, and the pins see exactly the
// currents of the full tile. Entries that round-off leaves non-negative (conductances below
// ~1e-16 of the largest) are left out; a pin's residual row sum, which is zero in exact
// arithmetic, is too.
void append_port_resistors(Lines& lines, const circuit::TileNetwork& network,
                           const std::vector<std::string>& pins) {
  const Eigen::MatrixXd y = solver::TransferSolver(network).port_admittance_siemens();
  const auto ports = static_cast<Eigen::Index>(pins.size());
  for (Eigen::Index a = 0; a < ports; ++a) {
    for (Eigen::Index b = a + 1; b < ports; ++b) {
      const double siemens = -0.5 * (y(a, b) + y(b, a));
      if (siemens > 0.0) {
        lines.push_back("Ry" + index_text(a) + "_" + index_text(b) + " " +
                        pins[static_cast<std::size_t>(a)] + " " +
                        pins[static_cast<std::size_t>(b)] + " " + spice_number(1.0 / siemens));
      }
    }
  }
}

// A tile as a subcircuit: pins are its row drivers, then its line ends (sense nodes).
void append_tile_subcircuit(Lines& lines, const circuit::CrossbarTile& tile,
                            const std::string& name, double c_segment_farad, TileForm form) {
  const circuit::TileNetwork network(tile);
  std::vector<std::string> pins;
  for (const auto& drive : network.drives()) {
    pins.push_back(network.node_name(drive.node));
  }
  for (const auto& sense : network.senses()) {
    pins.push_back(network.node_name(sense.node));
  }
  append_wrapped(lines, ".subckt " + name, pins, "", 16);
  if (form == TileForm::port_admittance) {
    append_port_resistors(lines, network, pins);
    lines.push_back(".ends " + name);
    return;
  }
  const auto resistors = netlist::tile_resistor_lines(network);
  lines.insert(lines.end(), resistors.begin(), resistors.end());
  if (c_segment_farad > 0.0) {
    for (circuit::TileNetwork::NodeIndex node = 0; node < network.node_count(); ++node) {
      const auto kind = network.label(node).kind;
      if (kind == circuit::TileNetwork::NodeKind::row ||
          kind == circuit::TileNetwork::NodeKind::column) {
        lines.push_back("C" + network.node_name(node) + " " + network.node_name(node) + " 0 " +
                        spice_number(c_segment_farad));
      }
    }
  }
  lines.push_back(".ends " + name);
}

// One difference amplifier per layer as a subcircuit (its resistors differ between layers).
std::string amplifier_subcircuit_name(std::size_t layer) {
  return "imac_diffamp_l" + std::to_string(layer);
}

void append_amplifier_subcircuit(Lines& lines, std::size_t layer,
                                 const DifferenceAmplifier& amplifier,
                                 const ImacParameters& parameters, double r_stage_ohm) {
  const std::string name = amplifier_subcircuit_name(layer);
  const std::string r_in = spice_number(amplifier.r_in_ohm);
  const std::string r_f = spice_number(amplifier.r_f_ohm);
  const std::string pin(amplifier_noninverting_node);
  const std::string nin(amplifier_inverting_node);
  lines.insert(
      lines.end(),
      {"* difference amplifier, gain " + spice_number(amplifier.r_f_ohm / amplifier.r_in_ohm) +
           ": V(out) = gain (V(noninv) - V(inv))",
       ".subckt " + name + " noninv inv out vdd vss", "Rin_n noninv " + pin + " " + r_in,
       "Rgnd " + pin + " 0 " + r_f, "Rin_i inv " + nin + " " + r_in, "Rfb " + nin + " out " + r_f,
       opamp_instance(std::string(amplifier_opamp_instance), pin, nin, "out", parameters,
                      r_stage_ohm),
       ".ends " + name});
}

void append_layer(Lines& lines, const ImacNetwork& network, std::size_t l, double r_stage_ohm,
                  TileForm form) {
  const auto& layer = network.layers()[l];
  const auto& parameters = network.parameters();
  const std::string ls = std::to_string(l);
  lines.push_back("* ---- layer " + ls + ": " + index_text(layer.input_count) + " inputs + bias, " +
                  index_text(layer.neuron_count) + " neurons, " +
                  std::to_string(layer.horizontal_partitions()) + " x " +
                  std::to_string(layer.vertical_partitions()) + " tiles");
  append_amplifier_subcircuit(lines, l, layer.amplifier, parameters, r_stage_ohm);
  for (std::size_t p = 0; p < layer.horizontal_partitions(); ++p) {
    for (std::size_t q = 0; q < layer.vertical_partitions(); ++q) {
      const std::string name = tile_subcircuit_name(l, p, q);
      append_tile_subcircuit(lines, layer.tile(p, q), name, parameters.c_segment_farad, form);
      std::vector<std::string> pins;
      const auto& rows = layer.row_partitions[p];
      for (Eigen::Index r = rows.first; r < rows.first + rows.count; ++r) {
        pins.push_back(r == layer.input_count ? std::string("vdd") : layer_input_node(l, r));
      }
      const auto& neurons = layer.neuron_partitions[q];
      for (Eigen::Index n = neurons.first; n < neurons.first + neurons.count; ++n) {
        pins.push_back(line_node(l, p, n, true));
        pins.push_back(line_node(l, p, n, false));
      }
      append_wrapped(lines, "X" + name, pins, " " + name, 16);
    }
  }
  const bool summed = layer.summed();
  const double h = static_cast<double>(layer.horizontal_partitions());
  for (Eigen::Index n = 0; n < layer.neuron_count; ++n) {
    const std::string nin = neuron_input_node(l, n);
    for (std::size_t p = 0; p < layer.horizontal_partitions(); ++p) {
      // Line a feeds the amplifier's non-inverting side, line b its inverting side.
      const auto line_a = line_node(l, p, n, !layer.amplifier.swapped);
      const auto line_b = line_node(l, p, n, layer.amplifier.swapped);
      const auto out = summed ? partial_node(l, p, n) : nin;
      const std::string amplifier = amplifier_instance(l, p, n) + " ";
      const std::string tail = " " + out + " vdd vss " + amplifier_subcircuit_name(l);
      if (parameters.sensing == SensingScheme::difference) {
        lines.push_back(amplifier + line_a + " " + line_b + tail);
        continue;
      }
      // TIA sensing: each line at a virtual ground, V_tia = -r_tia I_line; the difference
      // amplifier forms gain (V_tia_b - V_tia_a) = gain r_tia (I_a - I_b).
      for (const auto& line : {line_a, line_b}) {
        lines.push_back(
            opamp_instance(tia_instance(line), "0", line, line + "_tia", parameters, r_stage_ohm));
        lines.push_back("Rtia_" + line + " " + line + " " + line + "_tia " +
                        spice_number(parameters.r_tia_ohm));
      }
      lines.push_back(amplifier + line_b + "_tia " + line_a + "_tia" + tail);
    }
    if (summed) {
      const std::string junction = summer_junction_node(l, n);
      for (std::size_t p = 0; p < layer.horizontal_partitions(); ++p) {
        lines.push_back("Rsum_" + partial_node(l, p, n) + " " + partial_node(l, p, n) + " " +
                        junction + " " + spice_number(parameters.r_sum_ohm));
      }
      lines.push_back("Rsumfb_l" + ls + "_n" + index_text(n) + " " + nin + " " + junction + " " +
                      spice_number(parameters.r_sum_ohm / h));
      lines.push_back(
          opamp_instance(summer_instance(l, n), "0", junction, nin, parameters, r_stage_ohm));
    }
    const auto neuron = neuron_circuit(parameters);
    std::string instance =
        "Xneuron_l" + ls + "_n" + index_text(n) + " " + nin + " " + neuron_output_node(l, n) +
        " vdd " + (parameters.neuron_vss_volt == 0.0 ? "0" : "nvss") + " " + neuron.subcircuit_name;
    for (const auto& [key, value] : neuron.parameters) {
      instance += " " + key + "=" + spice_number(value);
    }
    lines.push_back(instance);
  }
}

// The PWL points (time, value, ...) of input i: window 0 is idle (every input at 0 V) so that
// each sample's window starts with a transition; sample k occupies window k + 1.
std::vector<std::string> input_points(const Eigen::MatrixXd& inputs_volt, Eigen::Index i,
                                      const ImacParameters& parameters) {
  std::vector<std::string> points{"0", "0"};
  for (Eigen::Index k = 0; k < inputs_volt.rows(); ++k) {
    const double start = window_start_s(k, parameters);
    points.insert(points.end(),
                  {spice_number(start), spice_number(k == 0 ? 0.0 : inputs_volt(k - 1, i)),
                   spice_number(start + parameters.t_edge_s), spice_number(inputs_volt(k, i))});
  }
  return points;
}

void append_input_sources(Lines& lines, const Eigen::MatrixXd& inputs_volt,
                          const ImacParameters& parameters) {
  for (Eigen::Index i = 0; i < inputs_volt.cols(); ++i) {
    append_wrapped(lines, input_source_name(i) + " " + layer_input_node(0, i) + " 0 PWL(",
                   input_points(inputs_volt, i, parameters), ")", 12);
  }
}

// DC: a sweep of the sample index source drives input i to sample k's value at index k, through
// a B-source and the 0 V ammeter that carries the driver's current; one sample is an .op.
void append_dc_input_sources(Lines& lines, const Eigen::MatrixXd& inputs_volt) {
  const Eigen::Index samples = inputs_volt.rows();
  if (samples == 1) {
    for (Eigen::Index i = 0; i < inputs_volt.cols(); ++i) {
      lines.push_back(input_source_name(i) + " " + layer_input_node(0, i) + " 0 DC " +
                      spice_number(inputs_volt(0, i)));
    }
    return;
  }
  lines.emplace_back("Vsample sample 0 DC 0");
  for (Eigen::Index i = 0; i < inputs_volt.cols(); ++i) {
    const std::string driven = "xd_" + index_text(i);
    lines.push_back(input_source_name(i) + " " + layer_input_node(0, i) + " " + driven + " DC 0");
    std::vector<std::string> points;
    for (Eigen::Index k = 0; k < samples; ++k) {
      points.push_back((k == 0 ? "" : ", ") + index_text(k) + ", " +
                       spice_number(inputs_volt(k, i)));
    }
    append_wrapped(lines,
                   "B" + input_source_name(i).substr(1) + " " + driven + " 0 V=pwl(v(sample),",
                   points, ")", 8);
  }
}

// The node inside an op-amp instance that its gain stage drives (imac_opamp*.sub): the one that
// a start must pull to set the amplifier's output, since the output node itself is driven by a
// voltage source. `instance` is the subcircuit path, e.g. "xsum_l0_n0".
std::string opamp_gain_node(const std::string& instance) { return instance + ".x"; }

// The conductance of the start's pull at each point of its sweep: decades from 1 S down to
// 1e-6 S, then exactly 0 (the circuit alone).
std::string hint_conductance_pwl() {
  std::string points;
  for (Eigen::Index k = 0; k < started_operating_point_steps; ++k) {
    const double siemens =
        k + 1 == started_operating_point_steps ? 0.0 : std::pow(10.0, -static_cast<double>(k));
    points += (k == 0 ? "" : ", ") + index_text(k) + ", " + spice_number(siemens);
  }
  return "pwl(v(hint), " + points + ")";
}

// The sweep of a started operating point: Vhint is stepped by the .dc analysis.
std::string swept_hint_source() { return "Vhint hint 0 DC 0"; }

// The same release in time, for a started transient: in the first half of the idle window 0,
// Vhint steps through the sweep's points 0 ... started_operating_point_steps - 1 (one point every
// t_sampling / 16, each step a ramp of t_step or, when that is longer, of half the spacing, so
// that the PWL's times rise), so the transient's initial operating point is
// the first point (pulls at 1 S, reached by Newton's method from zero) and the circuit is alone
// from the middle of window 0. The second half lets whatever the pulls held settle before the
// first sample's edge; at idle inputs that is the fast path's error, microvolts.
std::string timed_hint_source(const ImacParameters& parameters) {
  const double spacing_s = parameters.t_sampling_s / 16.0;
  const double ramp_s = std::min(parameters.t_step_s, spacing_s / 2.0);
  std::vector<std::string> points{"0", "0"};
  for (Eigen::Index k = 1; k < started_operating_point_steps; ++k) {
    const double step_s = static_cast<double>(k) * spacing_s;
    points.insert(points.end(), {spice_number(step_s), index_text(k - 1),
                                 spice_number(step_s + ramp_s), index_text(k)});
  }
  std::string line = "Vhint hint 0 PWL(";
  for (std::size_t k = 0; k < points.size(); ++k) {
    line += (k == 0 ? "" : " ") + points[k];
  }
  return line + ")";
}

// A pivot-order reset at every point of a started sweep. ngspice picks KLU's pivot order only in
// the first iterations of a sweep's first point, or when a refactorisation meets an exactly zero
// pivot; every other iteration reuses the order chosen at the 1 S pull, and as the pull falls that
// order's pivots on the pulled nodes (down to the 1e-6 S of an op-amp's gain node) fail: the
// solves are then too inaccurate for the op-amps' gain of 1e5 (docs/imac.md). These two nodes,
// joined to nothing else, make the old order meet an exact zero pivot at every new point: their
// 2 x 2 block is the identity at odd points and the exchange matrix at even ones, so a pivot
// order taken on either is singular on the other, while each is regular. ngspice then factors the
// whole matrix afresh, with pivots fit for the point's pull. The nodes carry no current and stay
// at 0 V, so the circuit is unchanged.
void append_pivot_reset(Lines& lines) {
  std::string parity;
  for (Eigen::Index k = 0; k < started_operating_point_steps; ++k) {
    parity += (k == 0 ? "" : ", ") + index_text(k) + ", " + index_text(k % 2);
  }
  const std::string odd = "(pwl(v(hint), " + parity + ") > 0.5 ? 1 : 0)";
  const std::string even = "(pwl(v(hint), " + parity + ") > 0.5 ? 0 : 1)";
  lines.insert(lines.end(),
               {"Bpivot_u pivot_u 0 I = " + odd + " * v(pivot_u) + " + even + " * v(pivot_w)",
                "Bpivot_w pivot_w 0 I = " + even + " * v(pivot_u) + " + odd + " * v(pivot_w)"});
}

// The start from the fast path's solution: every op-amp's inputs and gain node and every neuron
// output is pulled toward its voltage there by a B-source I = g (V - V_start), where g is node
// hint_g, a function of the swept source Vhint. At 1 S the pulls dominate every node they touch
// (the resistors around them are 1 kOhm and more, an op-amp's gain stage 0.1 S at
// opamp_stage_ohm), so the first point converges by Newton's method from zero, with each op-amp
// on the fast path's piece of its rail clamp; each later point starts from the one before, and
// the last, at g = 0, is the circuit alone. A .nodeset would hold the same nodes, but ngspice
// clears a held node's matrix row by a search over every circuit node, per held node and per Newton
// iteration: minutes at the 280 000 nodes of a full-size network with wires (docs/imac.md).
void append_starting_hints(Lines& lines, const ImacNetwork& network,
                           const NetworkNodeVoltages& starting_point,
                           const std::string& hint_source) {
  if (starting_point.size() != network.layers().size()) {
    throw ImacError(ErrorKind::bad_input, "the operating point's starting point has " +
                                              std::to_string(starting_point.size()) +
                                              " layers; the network has " +
                                              std::to_string(network.layers().size()));
  }
  const bool tia = network.parameters().sensing == SensingScheme::tia;
  lines.insert(lines.end(), {hint_source, "Bhint_g hint_g 0 V = " + hint_conductance_pwl()});
  append_pivot_reset(lines);
  std::size_t count = 0;
  const auto add = [&lines, &count](const std::string& node, double volt) {
    lines.push_back("Bhint" + std::to_string(count++) + " " + node + " 0 I = v(hint_g) * (v(" +
                    node + ") - (" + spice_number(volt) + "))");
  };
  for (std::size_t l = 0; l < network.layers().size(); ++l) {
    const auto& layer = network.layers()[l];
    const auto& nodes = starting_point[l];
    const auto h = static_cast<Eigen::Index>(layer.horizontal_partitions());
    const auto fits = [&](const Eigen::MatrixXd& m) {
      return m.rows() == h && m.cols() == layer.neuron_count;
    };
    if (!fits(nodes.amplifier_volt) || !fits(nodes.amplifier_noninverting_volt) ||
        !fits(nodes.amplifier_inverting_volt) ||
        (tia && !(fits(nodes.tia_plus_volt) && fits(nodes.tia_minus_volt) &&
                  fits(nodes.line_plus_volt) && fits(nodes.line_minus_volt))) ||
        (layer.summed() && nodes.summer_junction_volt.size() != layer.neuron_count) ||
        nodes.neuron_input_volt.size() != layer.neuron_count ||
        nodes.neuron_output_volt.size() != layer.neuron_count) {
      throw ImacError(ErrorKind::bad_input, "the operating point's starting point of layer " +
                                                std::to_string(l) +
                                                " does not match the layer's partitions");
    }
    for (Eigen::Index n = 0; n < layer.neuron_count; ++n) {
      for (Eigen::Index p = 0; p < h; ++p) {
        const auto partition = static_cast<std::size_t>(p);
        const std::string amplifier = amplifier_instance(l, partition, n);
        add(opamp_gain_node(amplifier + "." + std::string(amplifier_opamp_instance)),
            nodes.amplifier_volt(p, n));
        add(amplifier + "." + std::string(amplifier_noninverting_node),
            nodes.amplifier_noninverting_volt(p, n));
        add(amplifier + "." + std::string(amplifier_inverting_node),
            nodes.amplifier_inverting_volt(p, n));
        if (tia) {
          for (const bool plus : {true, false}) {
            const std::string line = line_node(l, partition, n, plus);
            add(opamp_gain_node(tia_instance(line)),
                plus ? nodes.tia_plus_volt(p, n) : nodes.tia_minus_volt(p, n));
            add(line, plus ? nodes.line_plus_volt(p, n) : nodes.line_minus_volt(p, n));
          }
        }
      }
      if (layer.summed()) {
        add(opamp_gain_node(summer_instance(l, n)), nodes.neuron_input_volt(n));
        add(summer_junction_node(l, n), nodes.summer_junction_volt(n));
      }
      add(neuron_output_node(l, n), nodes.neuron_output_volt(n));
    }
  }
}

// The circuit's parameters as comments, so that a deck records what it was built from.
void append_parameter_header(Lines& lines, const ImacNetwork& network) {
  const auto& parameters = network.parameters();
  lines.push_back(
      "* encoding " + std::string(encoding_name(network.encoding())) + ", tiles " +
      std::to_string(parameters.xbar_rows) + " x " + std::to_string(parameters.xbar_cols) +
      ", wire_model " + wire_model_name(parameters.wire_model) + ", sensing " +
      sensing_scheme_name(parameters.sensing) + ", neuron " + neuron_kind_name(parameters.neuron));
  std::string gains;
  for (const double gain : parameters.amp_gains) {
    gains += (gains.empty() ? "" : ",") + spice_number(gain);
  }
  lines.push_back("* amp_gains " + gains);
  for (const auto& parameter : imac_parameters()) {
    lines.push_back("* " + std::string(parameter.spec.name) + " = " +
                    spice_number(parameters.*parameter.field) + " " +
                    std::string(parameter.spec.unit));
  }
}

}  // namespace

NeuronCircuit neuron_circuit(const ImacParameters& parameters) {
  NeuronCircuit circuit;
  circuit.vdd_volt = parameters.vdd_volt;
  circuit.vss_volt = parameters.neuron_vss_volt;
  if (parameters.neuron == NeuronKind::mtj) {
    circuit.subcircuit_name = "imac_neuron_mtj";
    circuit.parameters = {{"r_p", parameters.r_p_ohm},
                          {"r_ap", parameters.r_ap_ohm},
                          {"v_offset", parameters.neuron_offset_volt}};
  } else {
    circuit.subcircuit_name = "imac_neuron_behavioural";
  }
  return circuit;
}

std::string layer_input_node(std::size_t layer, Eigen::Index input) {
  return "x" + std::to_string(layer) + "_" + index_text(input);
}

std::string output_node(const ImacNetwork& network, Eigen::Index neuron) {
  return neuron_output_node(network.layers().size() - 1, neuron);
}

std::string neuron_output_node(std::size_t layer, Eigen::Index neuron) {
  return layer_input_node(layer + 1, neuron);
}

double window_start_s(Eigen::Index sample, const ImacParameters& parameters) {
  return static_cast<double>(sample + 1) * parameters.t_sampling_s;
}

std::string input_source_name(Eigen::Index input) { return "Vx_" + index_text(input); }

std::vector<std::string> alter_inputs_commands(const Eigen::RowVectorXd& sample_volt,
                                               const ImacParameters& parameters,
                                               ImacAnalysis analysis) {
  std::vector<std::string> commands;
  for (Eigen::Index i = 0; i < sample_volt.size(); ++i) {
    const std::string source = "alter @" + input_source_name(i);
    if (analysis == ImacAnalysis::operating_point) {
      commands.push_back(source + "[dc] = " + spice_number(sample_volt(i)));
      continue;
    }
    std::string command = source + "[pwl] = [";
    for (const auto& point : input_points(sample_volt, i, parameters)) {
      command += " " + point;
    }
    commands.push_back(command + " ]");
  }
  return commands;
}

void check_network_inputs(const ImacNetwork& network, const Eigen::MatrixXd& inputs_volt,
                          const std::string& where) {
  if (inputs_volt.rows() == 0 || inputs_volt.cols() != network.input_count()) {
    throw ImacError(ErrorKind::bad_input,
                    where + ": inputs are " + index_text(inputs_volt.rows()) + " x " +
                        index_text(inputs_volt.cols()) + "; expected K x " +
                        index_text(network.input_count()) + " (one sample per row, K >= 1)");
  }
  if (!inputs_volt.allFinite()) {
    throw ImacError(ErrorKind::bad_input, where + ": inputs contain NaN or infinite values");
  }
}

void check_network_labels(const ImacNetwork& network, const std::vector<Eigen::Index>& labels,
                          const std::string& where) {
  for (std::size_t k = 0; k < labels.size(); ++k) {
    if (labels[k] < 0 || labels[k] >= network.output_count()) {
      throw ImacError(ErrorKind::bad_input,
                      where + ":/labels[" + std::to_string(k) + "] = " + index_text(labels[k]) +
                          " is not a class of the network's " + index_text(network.output_count()) +
                          " outputs (0 ... " + index_text(network.output_count() - 1) + ")");
    }
  }
}

std::string_view imac_analysis_name(ImacAnalysis analysis) noexcept {
  return analysis == ImacAnalysis::transient ? "tran" : "op";
}

ImacAnalysis parse_imac_analysis(std::string_view name) {
  if (name == "tran") {
    return ImacAnalysis::transient;
  }
  if (name == "op") {
    return ImacAnalysis::operating_point;
  }
  throw ImacError(ErrorKind::bad_input,
                  "unknown IMAC analysis '" + std::string(name) + "'; expected tran or op");
}

std::vector<std::string> imac_deck(const ImacNetwork& network, const Eigen::MatrixXd& inputs_volt,
                                   std::string_view title, const DeckOptions& options) {
  check_network_inputs(network, inputs_volt, "netlist inputs");
  const auto* starting_point = options.starting_point;
  const bool transient = options.analysis == ImacAnalysis::transient;
  if (starting_point != nullptr && !transient && inputs_volt.rows() != 1) {
    throw ImacError(ErrorKind::bad_input, "a started operating-point deck holds one sample, not " +
                                              index_text(inputs_volt.rows()));
  }
  const auto& parameters = network.parameters();
  if (options.tiles == TileForm::port_admittance && parameters.c_segment_farad > 0.0) {
    throw ImacError(ErrorKind::bad_input,
                    "tiles as port admittances need wires without capacitance (c_segment = 0); "
                    "c_segment = " +
                        spice_number(parameters.c_segment_farad) + " F");
  }
  const auto neuron = neuron_circuit(parameters);
  Lines lines{"* " + std::string(title) + " (IMAC network written by imcosim)"};
  append_parameter_header(lines, network);

  // 1. Models and subcircuits, inlined so that the deck stands alone.
  if (parameters.neuron == NeuronKind::mtj) {
    append_library(lines, "imcosim_cmos.lib");
  }
  append_library(lines, neuron.subcircuit_name + ".sub");
  append_library(lines, parameters.opamp_pole_hz > 0.0 ? "imac_opamp_pole.sub" : "imac_opamp.sub");

  // 2. Supplies and the input samples.
  lines.push_back("Vdd vdd 0 DC " + spice_number(parameters.vdd_volt));
  lines.push_back("Vss vss 0 DC " + spice_number(parameters.vss_volt));
  if (parameters.neuron_vss_volt != 0.0) {
    lines.push_back("Vnvss nvss 0 DC " + spice_number(parameters.neuron_vss_volt));
  }
  if (transient) {
    append_input_sources(lines, inputs_volt, parameters);
  } else {
    append_dc_input_sources(lines, inputs_volt);
  }

  // 3. Layers: tiles, amplifiers, summers and neurons.
  for (std::size_t l = 0; l < network.layers().size(); ++l) {
    append_layer(lines, network, l, opamp_stage_ohm(starting_point != nullptr), options.tiles);
  }

  // 4. Analysis, saved vectors and the per-sample outputs.
  if (starting_point != nullptr) {
    append_starting_hints(lines, network, *starting_point,
                          transient ? timed_hint_source(parameters) : swept_hint_source());
  }
  const Eigen::Index samples = inputs_volt.rows();
  // num_threads=1: ngspice's OpenMP BSIM evaluation spins at its barriers and collapses when
  // several simulations share the cores (docs/imac.md).
  // pivrel=1: a started deck's fresh pivot orders (append_pivot_reset) take the largest entry of
  // each column (KLU's pivot tolerance; ngspice's default 1e-3 accepts a diagonal a thousand times
  // smaller, and the first point of the full-size network with wires then does not converge).
  lines.push_back(std::string(".options num_threads=1 reltol=1e-5 vntol=1e-7 abstol=1e-13") +
                  (starting_point != nullptr ? " pivrel=1" : ""));
  if (transient) {
    // One step past the last window's end, so that its measurement lies inside the analysis.
    const double stop = window_start_s(samples, parameters) + parameters.t_step_s;
    lines.push_back(".tran " + spice_number(parameters.t_step_s) + " " + spice_number(stop) +
                    " 0 " + spice_number(parameters.t_step_s));
  } else if (starting_point != nullptr) {
    lines.push_back(".dc Vhint 0 " + index_text(started_operating_point_steps - 1) + " 1");
  } else {
    lines.push_back(samples == 1 ? std::string(".op")
                                 : ".dc Vsample 0 " + index_text(samples - 1) + " 1");
  }
  std::vector<std::string> saved{"i(vdd)", "i(vss)"};
  if (parameters.neuron_vss_volt != 0.0) {
    saved.emplace_back("i(vnvss)");
  }
  for (Eigen::Index i = 0; i < network.input_count(); ++i) {
    saved.push_back("i(" + input_source_name(i) + ")");
  }
  std::vector<std::string> outputs;
  for (Eigen::Index n = 0; n < network.output_count(); ++n) {
    outputs.push_back("v(" + output_node(network, n) + ")");
  }
  saved.insert(saved.end(), outputs.begin(), outputs.end());
  if (options.saved_outputs == LayerOutputs::every_layer) {
    for (std::size_t l = 0; l + 1 < network.layers().size(); ++l) {
      for (Eigen::Index n = 0; n < network.layers()[l].neuron_count; ++n) {
        saved.push_back("v(" + neuron_output_node(l, n) + ")");
      }
    }
  }
  append_wrapped(lines, ".save", saved, "", 12);
  if (transient) {
    for (Eigen::Index k = 0; k < samples; ++k) {
      const double end = window_start_s(k + 1, parameters);
      for (Eigen::Index n = 0; n < network.output_count(); ++n) {
        lines.push_back(".meas tran sample" + index_text(k) + "_out" + index_text(n) + " FIND v(" +
                        output_node(network, n) + ") AT=" + spice_number(end));
      }
    }
  } else if (samples > 1 || starting_point != nullptr) {
    // `ngspice -b` prints an .op's saved vectors by itself; a sweep's are a table to ask for.
    append_wrapped(lines, ".print dc", outputs, "", 12);
  }
  lines.push_back(".end");
  return lines;
}

}  // namespace imcosim::imac
