#include "imcosim/imac/evaluation.hpp"

namespace imcosim::imac {

std::vector<Eigen::Index> argmax_rows(const Eigen::MatrixXd& values) {
  std::vector<Eigen::Index> indices(static_cast<std::size_t>(values.rows()));
  for (Eigen::Index k = 0; k < values.rows(); ++k) {
    auto& index = indices[static_cast<std::size_t>(k)];
    if (values.row(k).hasNaN()) {
      index = no_class;
    } else {
      values.row(k).maxCoeff(&index);
    }
  }
  return indices;
}

}  // namespace imcosim::imac
