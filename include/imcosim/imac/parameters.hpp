#pragma once

#include <array>
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

#include "imcosim/circuit/parameter.hpp"

namespace imcosim::imac {

// How the crossbar wires' segment resistances are obtained.
enum class WireModel {
  geometry,  // from the metal geometry with the size-effect resistivity model (wire_geometry.hpp)
  ohms,      // given directly per segment
  ideal,     // no wire resistance at all (ideal connections)
};

// How a partition's pair of lines is read.
enum class SensingScheme {
  // The lines end in the input resistors of a 4-resistor difference amplifier: the line
  // voltages, which the amplifier's resistors set, carry the weighted sum.
  difference,
  // Each line ends at the virtual ground of a transimpedance amplifier (V = -r_tia I_line) and
  // the difference amplifier takes the two TIA outputs: the line currents carry the sum.
  tia,
};

// Which subcircuit realises the analog sigmoid neuron.
enum class NeuronKind {
  mtj,          // transistor-level CMOS inverter with two MTJ resistors (imac_neuron_mtj.sub)
  behavioural,  // B-source sigmoid behind an output resistance (imac_neuron_behavioural.sub)
};

// Every circuit value of an IMAC network, SI units; defaults are the reference design of
// shared/DESIGN.md (IMAC-Sim, Zand group). Valid once read: read_parameters checks each value.
struct ImacParameters {
  // Memristive devices (differential pairs).
  double r_low_ohm = 5e3;             // low-resistance state (binary and ternary weights)
  double r_high_ohm = 15e3;           // high-resistance state
  double g_min_siemens = 1.0 / 15e3;  // k-level weights: conductance of weight 0 ...
  double g_max_siemens = 1.0 / 5e3;   // ... and of weight +-1 on the active line of the pair

  // Supplies: amplifier rails and bias rows; the neurons run between vdd and neuron_vss.
  double vdd_volt = 0.8;
  double vss_volt = -0.8;
  double neuron_vss_volt = 0.0;

  // Partitioning: one tile holds xbar_rows inputs by xbar_cols neurons (2 x xbar_cols lines).
  int xbar_rows = 32;
  int xbar_cols = 32;

  // Wires. Input (row) lines run along a cell's width, output (column) lines along its length.
  WireModel wire_model = WireModel::geometry;
  double wire_width_m = 27e-9;
  double wire_thickness_m = 22e-9;
  double cell_length_m = 135e-9;
  double cell_width_m = 108e-9;
  double resistivity_ohm_m = 1.9e-8;    // bulk copper
  double mean_free_path_m = 39e-9;      // electrons in copper
  double specularity = 0.25;            // fraction of specular surface scattering
  double reflection = 0.3;              // grain-boundary reflection probability
  double r_input_segment_ohm = 9.24;    // wire_model = ohms: one input-line segment
  double r_output_segment_ohm = 11.55;  // wire_model = ohms: one output-line segment
  double c_segment_farad = 0.0;         // optional line capacitance to ground per wire node

  // Sensing: one 4-resistor difference amplifier per partition and neuron (behind two TIAs with
  // sensing = tia); with more than one horizontal partition an inverting summer averages the
  // partial outputs.
  SensingScheme sensing = SensingScheme::difference;
  // TIA feedback resistor. 100 ohm keeps a full 32-row tile's line current (33 rows at 0.8 V
  // through 5 kOhm: 5.3 mA) within the rails (0.53 V); amp_gains then scale the difference.
  double r_tia_ohm = 100.0;
  double r_amp_in_ohm = 1e3;
  std::vector<double> amp_gains{30.0, 30.0, 10.0};  // closed-loop gain per layer (R_f = gain R_in)
  double r_sum_ohm = 1e3;   // summer input resistors; feedback r_sum / partitions
  double opamp_gain = 1e5;  // open-loop DC gain of the op-amp macro-model
  // Dominant pole; 0 = none. An instantaneous amplifier makes every transient time point a DC
  // problem, and ngspice cannot step through saturating layers without some dynamics; a pole
  // of 10 GHz (16 ps open-loop time constant, also the slew limit out of saturation) keeps the
  // amplifiers idealised within a 1 ns window while giving the transient a state to follow.
  double opamp_pole_hz = 1e10;

  // Neurons.
  NeuronKind neuron = NeuronKind::mtj;
  double r_p_ohm = 8488.26;         // MTJ parallel state: the neuron's input resistor
  double r_ap_ohm = 25464.79;       // MTJ antiparallel state: the neuron's feedback resistor
  double neuron_offset_volt = 0.4;  // level shift added to the neuron input (-0.4 V source)

  // Transient evaluation.
  double t_sampling_s = 1e-9;        // one input sample per window
  double t_edge_s = 1e-10;           // input rise/fall time at the start of a window
  double t_step_s = 1e-11;           // maximum transient time step
  double settling_band_volt = 2e-3;  // latency: outputs within this band of their final value
};

// One declared numeric parameter: its spec (name as spelled in the config file, unit, bounds)
// and its field.
struct ImacParameter {
  circuit::ParameterSpec spec;
  double ImacParameters::*field;
};

// The declaration of every numeric ImacParameters field; config keys, errors, --help and the
// netlist header all read it.
const std::vector<ImacParameter>& imac_parameters();

// Reads an INI config file (key = value, '#' comments; keys as declared above plus xbar_rows,
// xbar_cols, wire_model = geometry|ohms|ideal, neuron = mtj|behavioural, sensing =
// difference|tia, amp_gains = 30,30,10).
// Unknown keys, malformed or out-of-range values throw ImacError naming the file and key.
ImacParameters read_parameters(const std::filesystem::path& config_file);
// The same from a stream (e.g. a configuration stored in a model file); `where` names it.
ImacParameters parse_parameters(std::istream& stream, const std::string& where);

// Checks every value against its declaration and the cross-field constraints (r_low < r_high,
// g_min < g_max, vss < neuron_vss < vdd, t_edge < t_sampling, ...); throws ImacError naming
// `where`.
void check_parameters(const ImacParameters& parameters, const std::string& where);

// The INI text of every value of `parameters`, one "key = value" line each, each number the
// shortest text that reads back to it exactly: parse_parameters reads it back to the same values.
// Result files record it.
std::string parameters_text(const ImacParameters& parameters);
// amp_gains as parameters_text writes them: "30,30,10".
std::string amp_gains_text(const ImacParameters& parameters);

const char* wire_model_name(WireModel model);
const char* neuron_kind_name(NeuronKind kind);
const char* sensing_scheme_name(SensingScheme scheme);

}  // namespace imcosim::imac
