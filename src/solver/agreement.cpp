#include "imcosim/solver/agreement.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "imcosim/solver/error.hpp"

namespace imcosim::solver {

Agreement compare_currents(const Eigen::MatrixXd& candidate, const Eigen::MatrixXd& reference) {
  if (candidate.rows() != reference.rows() || candidate.cols() != reference.cols()) {
    throw SolverError("cannot compare currents of shape [" + std::to_string(candidate.rows()) +
                      "][" + std::to_string(candidate.cols()) + "] with [" +
                      std::to_string(reference.rows()) + "][" + std::to_string(reference.cols()) +
                      "]");
  }
  Agreement agreement;
  agreement.relative_per_sample.resize(reference.rows());
  for (Eigen::Index k = 0; k < reference.rows(); ++k) {
    const double scale = reference.row(k).cwiseAbs().maxCoeff();
    // A NaN anywhere must surface as total disagreement, never vanish inside a max.
    const double difference =
        (candidate.row(k) - reference.row(k)).cwiseAbs().maxCoeff<Eigen::PropagateNaN>();
    double relative = 0.0;
    if (std::isnan(difference)) {
      relative = std::numeric_limits<double>::infinity();
    } else if (difference > 0.0) {
      relative = scale > 0.0 ? difference / scale : std::numeric_limits<double>::infinity();
    }
    agreement.relative_per_sample(k) = relative;
    if (relative > agreement.max_relative || k == 0) {
      agreement.max_relative = relative;
      agreement.worst_sample = k;
    }
  }
  return agreement;
}

}  // namespace imcosim::solver
