#include "imcosim/nn/loss.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace imcosim::nn {

template <typename Scalar>
LossSummary softmax_cross_entropy(const Tensor<Scalar>& outputs, const std::int32_t* labels,
                                  double logit_scale, double gradient_scale,
                                  Tensor<Scalar>& gradient) {
  const std::size_t classes = outputs.shape().size();
  gradient.resize(outputs.batch(), outputs.shape());
  LossSummary summary;
  std::vector<double> probabilities(classes);
  for (std::size_t n = 0; n < outputs.batch(); ++n) {
    const Scalar* y = outputs.sample(n);
    const auto label = static_cast<std::size_t>(labels[n]);
    const std::size_t best = static_cast<std::size_t>(std::max_element(y, y + classes) - y);
    summary.correct += best == label ? std::size_t{1} : std::size_t{0};
    const double largest = logit_scale * static_cast<double>(y[best]);
    double sum = 0.0;
    for (std::size_t c = 0; c < classes; ++c) {
      probabilities[c] = std::exp(logit_scale * static_cast<double>(y[c]) - largest);
      sum += probabilities[c];
    }
    summary.loss_sum += std::log(sum) + largest - logit_scale * static_cast<double>(y[label]);
    Scalar* g = gradient.sample(n);
    for (std::size_t c = 0; c < classes; ++c) {
      const double target = c == label ? 1.0 : 0.0;
      g[c] = static_cast<Scalar>(gradient_scale * logit_scale * (probabilities[c] / sum - target));
    }
  }
  return summary;
}

template LossSummary softmax_cross_entropy<float>(const Tensor<float>&, const std::int32_t*, double,
                                                  double, Tensor<float>&);
template LossSummary softmax_cross_entropy<double>(const Tensor<double>&, const std::int32_t*,
                                                   double, double, Tensor<double>&);

}  // namespace imcosim::nn
