#pragma once

#include <Eigen/Core>
#include <functional>

#include "imcosim/imac/evaluation.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::imac {

struct SpiceEvaluationOptions {
  // Samples per transient run; runs are spread over the pool's workers.
  Eigen::Index samples_per_run = 16;
  // Called after each finished run with (samples done, samples in all).
  std::function<void(Eigen::Index, Eigen::Index)> on_progress;
  // Without it a failed run throws its error. With it, the failure is reported here (first
  // sample of the run, samples in it, the error), the run's samples keep NaN figures and class
  // no_class, and the other runs go on: a long batch loses only the failed run.
  std::function<void(Eigen::Index, Eigen::Index, const spice::SpiceError&)> on_failure;
};

// Runs the network's deck (imac_deck) in ngspice, transient, and reads per sample the output
// voltages at the end of its window, the average and settled power, and the latency. Throws
// spice::SpiceError when ngspice fails (unless options.on_failure takes it), ImacError on bad
// inputs.
ImacEvaluation evaluate_with_spice(spice::WorkerPool& pool, const ImacNetwork& network,
                                   const Eigen::MatrixXd& inputs_volt,
                                   const SpiceEvaluationOptions& options = {});

}  // namespace imcosim::imac
