#include "imcosim/nn/layers.hpp"

namespace imcosim::nn {

template <typename Scalar>
void Flatten<Scalar>::forward(const Tensor<Scalar>& input, Tensor<Scalar>& output,
                              LayerCache<Scalar>& /*cache*/, Phase /*phase*/) const {
  output.resize(input.batch(), output_shape());
  output.values() = input.values();
}

template <typename Scalar>
void Flatten<Scalar>::backward(const Tensor<Scalar>& output_gradient,
                               Tensor<Scalar>* input_gradient, const LayerCache<Scalar>& /*cache*/,
                               std::vector<std::vector<Scalar>>& /*parameter_gradients*/) const {
  if (input_gradient != nullptr) {
    input_gradient->resize(output_gradient.batch(), this->input_shape());
    input_gradient->values() = output_gradient.values();
  }
}

template class Flatten<float>;
template class Flatten<double>;

}  // namespace imcosim::nn
