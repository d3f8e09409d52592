#pragma once

#include <Eigen/Core>

namespace imcosim::solver {

// How far two sets of output currents (K x N, one input vector per row) are apart.
// For input vector k: max_j |candidate[k][j] - reference[k][j]| / max_j |reference[k][j]|,
// i.e. relative to the largest output of that vector (a zero reference gives 0 if the
// candidate is zero too, infinity otherwise).
struct Agreement {
  Eigen::VectorXd relative_per_sample;  // K entries
  double max_relative = 0.0;            // over all samples
  Eigen::Index worst_sample = 0;
};

// Throws SolverError if the shapes differ.
Agreement compare_currents(const Eigen::MatrixXd& candidate, const Eigen::MatrixXd& reference);

}  // namespace imcosim::solver
