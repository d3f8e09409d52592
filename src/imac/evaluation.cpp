#include "imcosim/imac/evaluation.hpp"

namespace imcosim::imac {

std::vector<Eigen::Index> argmax_rows(const Eigen::MatrixXd& values) {
  std::vector<Eigen::Index> indices(static_cast<std::size_t>(values.rows()));
  for (Eigen::Index k = 0; k < values.rows(); ++k) {
    values.row(k).maxCoeff(&indices[static_cast<std::size_t>(k)]);
  }
  return indices;
}

}  // namespace imcosim::imac
