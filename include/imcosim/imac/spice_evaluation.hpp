#pragma once

#include <Eigen/Core>
#include <functional>
#include <vector>

#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/evaluation.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/imac/node_voltages.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::imac {

struct SpiceEvaluationOptions {
  // transient: outputs at the end of each window, average and settled power, latency.
  // operating_point: each sample's DC solution, the fast path's exact counterpart: its outputs,
  // the static power as both power figures, latency NaN.
  ImacAnalysis analysis = ImacAnalysis::transient;
  // Samples per run (transient windows or DC sweep points); runs are spread over the workers.
  Eigen::Index samples_per_run = 16;
  // operating_point only: one per sample, the op-amp and neuron outputs to start ngspice's
  // Newton iteration from (FastEvaluator::node_voltages). Each sample then runs alone, as a DC
  // sweep that releases these nodes from its start (imac_deck; samples_per_run is ignored),
  // which converges by Newton's method
  // where a start from zero falls into minutes of gmin stepping; the result is still ngspice's
  // own converged operating point (docs/imac.md). Empty: no starting point.
  std::vector<NetworkNodeVoltages> starting_points;
  // Called after each finished run with (samples done, samples in all).
  std::function<void(Eigen::Index, Eigen::Index)> on_progress;
  // Without it a failed run throws its error. With it, the failure is reported here (first
  // sample of the run, samples in it, the error), the run's samples keep NaN figures and class
  // no_class, and the other runs go on: a long batch loses only the failed run.
  std::function<void(Eigen::Index, Eigen::Index, const spice::SpiceError&)> on_failure;
};

// Runs the network's deck (imac_deck) in ngspice and reads per sample the output voltages and
// the power (and, transient, the latency) as options.analysis defines them. Throws
// spice::SpiceError when ngspice fails (unless options.on_failure takes it), ImacError on bad
// inputs.
ImacEvaluation evaluate_with_spice(spice::WorkerPool& pool, const ImacNetwork& network,
                                   const Eigen::MatrixXd& inputs_volt,
                                   const SpiceEvaluationOptions& options = {});

}  // namespace imcosim::imac
