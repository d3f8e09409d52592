#include <string>

#include "imcosim/nn/error.hpp"
#include "imcosim/nn/layers.hpp"

namespace imcosim::nn {

template <typename Scalar>
Dense<Scalar>::Dense(Shape input, std::size_t outputs) : Layer<Scalar>(input), outputs_(outputs) {
  if (input.height != 1 || input.width != 1) {
    throw NnError("dense: its input must be flat, got " + shape_text(input) +
                  "; put a flatten layer before it");
  }
  if (outputs == 0) {
    throw NnError("dense: needs at least one output");
  }
  weight_ = {"weight", {outputs, input.channels}, std::vector<Scalar>(outputs * input.channels)};
  bias_ = {"bias", {outputs}, std::vector<Scalar>(outputs)};
}

template <typename Scalar>
void Dense<Scalar>::forward(const Tensor<Scalar>& input, Tensor<Scalar>& output,
                            LayerCache<Scalar>& cache, Phase phase) const {
  if (phase == Phase::training) {
    cache.input = input;  // backward's weight gradient
  }
  output.resize_for_overwrite(input.batch(), output_shape());
  const auto inputs = static_cast<Eigen::Index>(this->input_shape().channels);
  const auto outputs = static_cast<Eigen::Index>(outputs_);
  const Eigen::Map<const RowMatrix<Scalar>> w(weight_.values.data(), outputs, inputs);
  const Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> b(bias_.values.data(), outputs);
  auto out = output.sample_rows();
  out.noalias() = input.sample_rows() * w.transpose();
  out.rowwise() += b;
}

template <typename Scalar>
void Dense<Scalar>::backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                             const LayerCache<Scalar>& cache,
                             std::vector<std::vector<Scalar>>& parameter_gradients) const {
  const auto inputs = static_cast<Eigen::Index>(this->input_shape().channels);
  const auto outputs = static_cast<Eigen::Index>(outputs_);
  const auto grad_out = output_gradient.sample_rows();
  Eigen::Map<RowMatrix<Scalar>> grad_w(parameter_gradients[0].data(), outputs, inputs);
  Eigen::Map<Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> grad_b(parameter_gradients[1].data(),
                                                              outputs);
  grad_w.noalias() += grad_out.transpose() * cache.input.sample_rows();
  grad_b += grad_out.colwise().sum();
  if (input_gradient != nullptr) {
    input_gradient->resize(output_gradient.batch(), this->input_shape());
    const Eigen::Map<const RowMatrix<Scalar>> w(weight_.values.data(), outputs, inputs);
    input_gradient->sample_rows().noalias() = grad_out * w;
  }
}

template class Dense<float>;
template class Dense<double>;

}  // namespace imcosim::nn
