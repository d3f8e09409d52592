#include <cmath>

#include "imcosim/nn/layers.hpp"

namespace imcosim::nn {

template <typename Scalar>
BatchNorm<Scalar>::BatchNorm(Shape input) : Layer<Scalar>(input) {
  const std::size_t c = input.channels;
  gamma_ = {"gamma", {c}, std::vector<Scalar>(c, Scalar{1})};
  beta_ = {"beta", {c}, std::vector<Scalar>(c, Scalar{0})};
  running_mean_ = {"running_mean", {c}, std::vector<Scalar>(c, Scalar{0}), false};
  running_variance_ = {"running_variance", {c}, std::vector<Scalar>(c, Scalar{1}), false};
}

template <typename Scalar>
void BatchNorm<Scalar>::forward(const Tensor<Scalar>& input, Tensor<Scalar>& output,
                                LayerCache<Scalar>& cache, Phase phase) const {
  const auto channels = static_cast<Eigen::Index>(this->input_shape().channels);
  const auto x = input.pixel_rows();
  output.resize_for_overwrite(input.batch(), input.shape());
  auto y = output.pixel_rows();
  using RowVector = Eigen::Array<Scalar, 1, Eigen::Dynamic>;
  const Eigen::Map<const RowVector> gamma(gamma_.values.data(), channels);
  const Eigen::Map<const RowVector> beta(beta_.values.data(), channels);
  if (phase == Phase::inference) {
    const Eigen::Map<const RowVector> mean(running_mean_.values.data(), channels);
    const Eigen::Map<const RowVector> variance(running_variance_.values.data(), channels);
    const RowVector inverse_std = (variance + static_cast<Scalar>(epsilon)).rsqrt();
    cache.normalised.resize(input.batch(), input.shape());
    auto normalised = cache.normalised.pixel_rows();
    normalised = (x.array().rowwise() - mean).rowwise() * inverse_std;
    y = (normalised.array().rowwise() * gamma).rowwise() + beta;
    cache.statistics.clear();  // marks the inference form for backward
    return;
  }
  const auto count = static_cast<Scalar>(x.rows());
  const RowVector mean = x.colwise().sum().array() / count;
  const RowVector variance = (x.array().rowwise() - mean).square().colwise().sum() / count;
  const RowVector inverse_std = (variance + static_cast<Scalar>(epsilon)).rsqrt();
  cache.normalised.resize(input.batch(), input.shape());
  auto normalised = cache.normalised.pixel_rows();
  normalised = (x.array().rowwise() - mean).rowwise() * inverse_std;
  y = (normalised.array().rowwise() * gamma).rowwise() + beta;
  // Kept for backward (inverse_std) and for the running statistics (mean, unbiased variance).
  cache.statistics.resize(3 * static_cast<std::size_t>(channels));
  Eigen::Map<RowVector>(cache.statistics.data(), channels) = mean;
  Eigen::Map<RowVector>(cache.statistics.data() + channels, channels) =
      count > 1 ? RowVector(variance * count / (count - 1)) : variance;
  Eigen::Map<RowVector>(cache.statistics.data() + 2 * channels, channels) = inverse_std;
}

template <typename Scalar>
void BatchNorm<Scalar>::backward(const Tensor<Scalar>& output_gradient,
                                 Tensor<Scalar>* input_gradient, const LayerCache<Scalar>& cache,
                                 std::vector<std::vector<Scalar>>& parameter_gradients) const {
  const auto channels = static_cast<Eigen::Index>(this->input_shape().channels);
  using RowVector = Eigen::Array<Scalar, 1, Eigen::Dynamic>;
  const auto g = output_gradient.pixel_rows().array();
  const auto normalised = cache.normalised.pixel_rows().array();
  const RowVector sum_g = g.colwise().sum();
  const RowVector sum_g_normalised = (g * normalised).colwise().sum();
  Eigen::Map<RowVector>(parameter_gradients[0].data(), channels) += sum_g_normalised;
  Eigen::Map<RowVector>(parameter_gradients[1].data(), channels) += sum_g;
  if (input_gradient == nullptr) {
    return;
  }
  const Eigen::Map<const RowVector> gamma(gamma_.values.data(), channels);
  input_gradient->resize(output_gradient.batch(), output_gradient.shape());
  if (cache.statistics.empty()) {
    // Inference form: a fixed affine map per channel.
    const Eigen::Map<const RowVector> variance(running_variance_.values.data(), channels);
    input_gradient->pixel_rows().array() =
        g.rowwise() * (gamma * (variance + static_cast<Scalar>(epsilon)).rsqrt());
    return;
  }
  const Eigen::Map<const RowVector> inverse_std(cache.statistics.data() + 2 * channels, channels);
  const auto count = static_cast<Scalar>(g.rows());
  // dx = gamma / sigma (g - mean(g) - x_hat mean(g x_hat)).
  input_gradient->pixel_rows().array() =
      ((g.rowwise() - sum_g / count) - normalised.rowwise() * (sum_g_normalised / count))
          .rowwise() *
      (gamma * inverse_std);
}

template <typename Scalar>
void BatchNorm<Scalar>::update_running_statistics(const LayerCache<Scalar>& cache) {
  const std::size_t channels = this->input_shape().channels;
  if (cache.statistics.empty()) {
    return;  // an inference pass measured nothing
  }
  const auto m = static_cast<Scalar>(momentum);
  for (std::size_t c = 0; c < channels; ++c) {
    running_mean_.values[c] = (1 - m) * running_mean_.values[c] + m * cache.statistics[c];
    running_variance_.values[c] =
        (1 - m) * running_variance_.values[c] + m * cache.statistics[channels + c];
  }
}

template class BatchNorm<float>;
template class BatchNorm<double>;

}  // namespace imcosim::nn
