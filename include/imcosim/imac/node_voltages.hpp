#pragma once

#include <Eigen/Core>
#include <vector>

namespace imcosim::imac {

// One layer's share of a network's DC operating point: the outputs and inputs of its op-amps and
// the outputs of its neurons. At DC every other node of the circuit (crossbar wires, resistor
// taps, the neurons' gate nodes) is linear in these and in the network inputs, so they are what
// a SPICE operating-point run needs as its starting point. An op-amp's inputs decide which piece
// of its rail clamp it is on (linear: V+ - V- = V_out / gain, microvolts), so they are given as
// the fast path solved them, consistent with its output to the last digit.
struct LayerNodeVoltages {
  // h x n_out: the output of partition p's difference amplifier for neuron n (with a single
  // partition it is the neuron's input), and its op-amp's non-inverting and inverting inputs.
  Eigen::MatrixXd amplifier_volt;
  Eigen::MatrixXd amplifier_noninverting_volt;
  Eigen::MatrixXd amplifier_inverting_volt;
  // h x n_out each, TIA sensing only (else empty): the outputs of the TIAs on the "+" and "-"
  // lines of partition p, neuron n, and those lines' ends (the TIAs' inverting inputs).
  Eigen::MatrixXd tia_plus_volt;
  Eigen::MatrixXd tia_minus_volt;
  Eigen::MatrixXd line_plus_volt;
  Eigen::MatrixXd line_minus_volt;
  // n_out, summed layers only (else empty): each summer's junction (its inverting input).
  Eigen::VectorXd summer_junction_volt;
  Eigen::VectorXd neuron_input_volt;   // n_out: the summer's (or the amplifier's) output
  Eigen::VectorXd neuron_output_volt;  // n_out: the next layer's inputs (the network's outputs)
};

// One sample's operating point, layer by layer.
using NetworkNodeVoltages = std::vector<LayerNodeVoltages>;

}  // namespace imcosim::imac
