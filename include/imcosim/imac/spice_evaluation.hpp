#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <vector>

#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/evaluation.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/imac/node_voltages.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::imac {

struct SpiceEvaluationOptions {
  // transient: outputs at the end of each window, average and settled power, latency.
  // operating_point: each sample's DC solution, the fast path's exact counterpart: its outputs,
  // the static power as both power figures, latency NaN.
  ImacAnalysis analysis = ImacAnalysis::transient;
  // Samples per ngspice job; jobs are spread over the workers. Every sample is its own analysis
  // of its one-sample deck (a transient: idle window 0, the sample in window 1), the job's later
  // samples altered into the loaded deck's sources, so that results depend on neither this nor
  // the worker count.
  Eigen::Index samples_per_run = 16;
  // Where ngspice's Newton iteration starts (FastEvaluator::node_voltages); empty: from zero,
  // which falls into minutes of gmin stepping beyond small networks (docs/imac.md).
  // operating_point: one per sample. Each sample then runs alone, as a DC sweep that releases
  // these nodes from its start (imac_deck; samples_per_run is ignored), and the result is still
  // ngspice's own converged operating point.
  // transient: one, the solution at idle inputs (every input 0 V), released in every sample's
  // idle window 0.
  std::vector<NetworkNodeVoltages> starting_points;
  // How the decks draw the tiles (DeckOptions::tiles).
  TileForm tiles = TileForm::wires;
  // every_layer: the hidden layers' neuron outputs are saved and measured as the network
  // outputs are (ImacEvaluation::layer_outputs_volt).
  LayerOutputs layer_outputs = LayerOutputs::network_outputs_only;
  // transient only (an operating point has no waveforms: ImacError bad_input): keep every
  // sample's inputs and outputs at each time point (ImacEvaluation::waveforms).
  bool waveforms = false;
  // Called after each finished run with (samples done, samples in all).
  std::function<void(Eigen::Index, Eigen::Index)> on_progress;
  // Without it a failed run throws its error. With it, the failure is reported here (first
  // sample of the run, samples in it, the error), the run's samples keep NaN figures and class
  // no_class, and the other runs go on: a long batch loses only the failed run.
  std::function<void(Eigen::Index, Eigen::Index, const spice::SpiceError&)> on_failure;
};

// The starting points SpiceEvaluationOptions::starting_points takes for `analysis`, from the
// fast path of the same circuit: each sample's solution (operating_point), or the solution at
// idle inputs (transient).
std::vector<NetworkNodeVoltages> fast_starting_points(const FastEvaluator& evaluator,
                                                      const Eigen::MatrixXd& inputs_volt,
                                                      ImacAnalysis analysis);

// A lower bound on the bytes that SpiceEvaluationOptions::waveforms keeps for `samples` samples:
// each transient has at least one time point per t_step (its maximum step), each point a time,
// n_in inputs and n_out outputs. For a memory check before the runs (memory_shortfall).
std::uint64_t waveform_bytes_lower_bound(const ImacNetwork& network, Eigen::Index samples);

// Runs the network's deck (imac_deck) in ngspice and reads per sample the output voltages and
// the power (and, transient, the latency) as options.analysis defines them. Throws
// spice::SpiceError when ngspice fails (unless options.on_failure takes it), ImacError on bad
// inputs.
ImacEvaluation evaluate_with_spice(spice::WorkerPool& pool, const ImacNetwork& network,
                                   const Eigen::MatrixXd& inputs_volt,
                                   const SpiceEvaluationOptions& options = {});

}  // namespace imcosim::imac
