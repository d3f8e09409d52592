#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "imcosim/imac/evaluation.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/imac/neuron_table.hpp"
#include "imcosim/imac/node_voltages.hpp"

namespace imcosim::imac {

// The grid on which the fast evaluator needs the neuron characterised: inputs over the
// amplifier rails, outputs over the neuron supplies, each with a 0.1 V margin, 10 mV steps.
NeuronGrid neuron_grid_for(const ImacParameters& parameters);

// Evaluates an IMAC network without SPICE, solving the same circuit at DC:
//  * every tile exactly, as its port admittance (solver::TransferSolver) between its row drivers
//    and its line ends;
//  * every difference amplifier and summer as its circuit equations with finite open-loop gain
//    and rail saturation (piecewise linear, resolved by an active-set iteration per tile);
//  * every neuron through its ngspice-characterised DC table, with its output loaded by the next
//    layer's tiles: each layer boundary is solved by Newton's method on the neuron outputs.
// Built once per network (port admittances extracted, linear-mode factorisations kept); then
// evaluate() is thread-safe and spreads samples over the cores.
class FastEvaluator {
 public:
  // Agreement with the SPICE operating point the same circuit settles to: the Newton
  // iterations stop below 1e-9 V and the neuron table interpolates to microvolts, so outputs
  // agree with ngspice within the latter's own tolerance (measured: tests/imac, docs/imac.md).
  static constexpr double newton_tolerance_volt = 1e-9;

  // Throws ImacError when the table's grid does not cover the rails.
  FastEvaluator(const ImacNetwork& network, NeuronTable neuron_table);
  ~FastEvaluator();
  FastEvaluator(FastEvaluator&&) noexcept;
  FastEvaluator& operator=(FastEvaluator&&) noexcept;

  // Inputs K x n_in (volts); outputs, classes and static power per sample; latency NaN; with
  // every_layer also each layer's neuron outputs. Throws ImacError on bad inputs or when a layer
  // boundary does not converge.
  [[nodiscard]] ImacEvaluation evaluate(
      const Eigen::MatrixXd& inputs_volt,
      LayerOutputs layer_outputs = LayerOutputs::network_outputs_only) const;

  // Per sample (inputs K x n_in, volts), the op-amp and neuron outputs of the operating point
  // that evaluate() reports: the starting point for ngspice's operating point of the same
  // circuit (SpiceEvaluationOptions::starting_points). Throws as evaluate().
  [[nodiscard]] std::vector<NetworkNodeVoltages> node_voltages(
      const Eigen::MatrixXd& inputs_volt) const;

 private:
  void check_inputs(const Eigen::MatrixXd& inputs_volt) const;

  struct Model;
  std::unique_ptr<Model> model_;
};

}  // namespace imcosim::imac
