#pragma once

#include <Eigen/Core>
#include <string>
#include <string_view>
#include <vector>

#include "imcosim/imac/evaluation.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/imac/neuron_table.hpp"
#include "imcosim/imac/node_voltages.hpp"

namespace imcosim::imac {

// The neuron subcircuit and its parameter overrides that `parameters` select; the netlist writer
// instantiates it and the fast evaluator characterises it.
NeuronCircuit neuron_circuit(const ImacParameters& parameters);

// Node and vector names of an IMAC deck.
std::string layer_input_node(std::size_t layer, Eigen::Index input);  // "x<l>_<i>"
std::string output_node(const ImacNetwork& network, Eigen::Index neuron);
// The output of neuron n of layer l: the next layer's input "x<l+1>_<n>".
std::string neuron_output_node(std::size_t layer, Eigen::Index neuron);
std::string input_source_name(Eigen::Index input);  // "Vx_<i>", drives network input i

// Start of sample k's window, seconds: window 0 is an idle window with every input at 0 V, so
// that every sample's window begins with an input transition (its latency is then measured).
double window_start_s(Eigen::Index sample, const ImacParameters& parameters);

// The analysis an IMAC deck runs.
enum class ImacAnalysis {
  transient,        // every sample in its window: settled outputs, average power, latency
  operating_point,  // every sample's DC solution: the static circuit that the fast path solves
};

// "tran", "op"; parse_imac_analysis is the inverse and throws ImacError (bad_input).
[[nodiscard]] std::string_view imac_analysis_name(ImacAnalysis analysis) noexcept;
[[nodiscard]] ImacAnalysis parse_imac_analysis(std::string_view name);

// Points of a started operating point's sweep (see imac_deck); the last is the operating point.
inline constexpr Eigen::Index started_operating_point_steps = 8;

// How a deck draws each crossbar tile.
enum class TileForm {
  wires,            // every cell and wire segment: the circuit itself
  port_admittance,  // the tile's exact port admittance (solver::TransferSolver) as a resistor
                    // between every two pins: the same pin currents at every instant when the
                    // wires hold no charge (c_segment = 0), with no internal nodes
};

struct DeckOptions {
  ImacAnalysis analysis = ImacAnalysis::transient;
  // The fast path's node voltages (FastEvaluator::node_voltages) that ngspice's initial
  // operating point starts from; null: ngspice's own start from zero. An operating-point deck
  // then holds one sample and this is its solution; a transient's is the idle inputs' (every
  // input 0 V), from which window 0 starts.
  const NetworkNodeVoltages* starting_point = nullptr;
  TileForm tiles = TileForm::wires;  // port_admittance needs c_segment = 0
  // every_layer: the hidden layers' neuron outputs are saved vectors too.
  LayerOutputs saved_outputs = LayerOutputs::network_outputs_only;
};

// A self-contained ngspice deck of the whole network for K input samples (rows of
// `inputs_volt`, K x n_in): every model card and subcircuit inlined, so it runs unchanged in
// `ngspice -b`. Saved vectors: the network outputs (with options.saved_outputs every_layer,
// every layer's neuron outputs) and the branch currents of vdd, vss and every input source
// "Vx_<i>".
// transient: sample k is applied from window_start_s(k) (after a t_edge ramp) for one
// t_sampling, by PWL sources; the analysis covers all K windows (vector "time"), and a .meas
// line per sample and output reports V(output) at the end of each window.
// operating_point: one DC solution per sample, as a DC sweep of a sample index source over
// 0 .. K-1 that drives every input through a piecewise-linear B-source and a 0 V ammeter Vx_<i>
// (K = 1: an .op with DC sources); vectors hold one point per sample.
// A starting point pulls every op-amp's inputs and gain node and every neuron output toward its
// voltages through a conductance that falls from 1 S to exactly 0 over
// started_operating_point_steps steps, each started from the one before, with a fresh pivot
// order at every step (two isolated nodes whose 2 x 2 block makes the previous order singular;
// they stay at 0 V) and KLU's pivot tolerance pivrel=1. An operating point steps the pull by a DC
// sweep of "Vhint" whose last point is the sample's operating point, reached by Newton's method
// without gmin stepping (vectors then hold one value per step); a transient steps it in time in
// the first half of the idle window 0, so that its initial operating point converges and the
// circuit is alone, at rest, before the first sample (docs/imac.md).
// Throws ImacError when a starting point does not match the network, an operating-point deck
// with a starting point has more than one sample, or port-admittance tiles meet wire
// capacitance.
std::vector<std::string> imac_deck(const ImacNetwork& network, const Eigen::MatrixXd& inputs_volt,
                                   std::string_view title, const DeckOptions& options = {});

// The ngspice commands that set the input sources of a one-sample deck (imac_deck) of
// `analysis` to another sample (1 x n_in): one `alter @Vx_<i>[pwl] = [...]` per input with the
// PWL points of that sample's transient deck, or `alter @Vx_<i>[dc] = V` with its DC value. A
// `run` after them is the analysis of that sample's deck.
std::vector<std::string> alter_inputs_commands(const Eigen::RowVectorXd& sample_volt,
                                               const ImacParameters& parameters,
                                               ImacAnalysis analysis);

// Checks that `inputs_volt` has n_in columns, at least one row and finite values; throws
// ImacError naming `where`.
void check_network_inputs(const ImacNetwork& network, const Eigen::MatrixXd& inputs_volt,
                          const std::string& where);

// Checks that every label is one of the network's classes, 0 ... n_out - 1; throws ImacError
// naming `where` and the first label that is not.
void check_network_labels(const ImacNetwork& network, const std::vector<Eigen::Index>& labels,
                          const std::string& where);

}  // namespace imcosim::imac
