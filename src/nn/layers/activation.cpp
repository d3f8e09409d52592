#include <algorithm>
#include <cmath>

#include "imcosim/nn/layers.hpp"

namespace imcosim::nn {

template <typename Scalar>
Activation<Scalar>::Activation(Shape input, ActivationKind activation)
    : Layer<Scalar>(input), activation_(activation) {}

template <typename Scalar>
std::string Activation<Scalar>::kind() const {
  switch (activation_) {
    case ActivationKind::relu:
      return "relu";
    case ActivationKind::relu6:
      return "relu6";
    case ActivationKind::imac_sigmoid:
      return "imac_sigmoid";
  }
  return "activation";
}

template <typename Scalar>
void Activation<Scalar>::forward(const Tensor<Scalar>& input, Tensor<Scalar>& output,
                                 LayerCache<Scalar>& cache, Phase phase) const {
  output.resize_for_overwrite(input.batch(), input.shape());
  const Scalar* x = input.data();
  Scalar* y = output.data();
  const std::size_t size = input.size();
  switch (activation_) {
    case ActivationKind::relu:
      for (std::size_t i = 0; i < size; ++i) {
        y[i] = std::max(x[i], Scalar{0});
      }
      break;
    case ActivationKind::relu6:
      for (std::size_t i = 0; i < size; ++i) {
        y[i] = std::clamp(x[i], Scalar{0}, Scalar{6});
      }
      break;
    case ActivationKind::imac_sigmoid:
      for (std::size_t i = 0; i < size; ++i) {
        y[i] = Scalar{1} / (Scalar{1} + std::exp(x[i]));
      }
      break;
  }
  if (phase == Phase::training) {
    // ReLUs need their input's sign, the sigmoid its output: y' = -y (1 - y).
    cache.input = activation_ == ActivationKind::imac_sigmoid ? output : input;
  }
}

template <typename Scalar>
void Activation<Scalar>::backward(const Tensor<Scalar>& output_gradient,
                                  Tensor<Scalar>* input_gradient, const LayerCache<Scalar>& cache,
                                  std::vector<std::vector<Scalar>>& /*parameter_gradients*/) const {
  if (input_gradient == nullptr) {
    return;
  }
  input_gradient->resize_for_overwrite(output_gradient.batch(), output_gradient.shape());
  const Scalar* g = output_gradient.data();
  const Scalar* saved = cache.input.data();
  Scalar* result = input_gradient->data();
  const std::size_t size = output_gradient.size();
  switch (activation_) {
    case ActivationKind::relu:
      for (std::size_t i = 0; i < size; ++i) {
        result[i] = saved[i] > Scalar{0} ? g[i] : Scalar{0};
      }
      break;
    case ActivationKind::relu6:
      for (std::size_t i = 0; i < size; ++i) {
        result[i] = saved[i] > Scalar{0} && saved[i] < Scalar{6} ? g[i] : Scalar{0};
      }
      break;
    case ActivationKind::imac_sigmoid:
      for (std::size_t i = 0; i < size; ++i) {
        result[i] = -g[i] * saved[i] * (Scalar{1} - saved[i]);
      }
      break;
  }
}

template class Activation<float>;
template class Activation<double>;

}  // namespace imcosim::nn
