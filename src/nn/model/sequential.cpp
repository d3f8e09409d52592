#include "imcosim/nn/sequential.hpp"

#include <cmath>
#include <utility>

#include "imcosim/device/random_stream.hpp"
#include "imcosim/nn/error.hpp"

namespace imcosim::nn {

template <typename Scalar>
std::unique_ptr<Layer<Scalar>> make_layer(const LayerSpec& spec, Shape input) {
  if (spec.kind == "conv2d") {
    return std::make_unique<Conv2d<Scalar>>(input, spec.conv);
  }
  if (spec.kind == "dense") {
    return std::make_unique<Dense<Scalar>>(input, spec.units);
  }
  if (spec.kind == "maxpool" || spec.kind == "avgpool") {
    return std::make_unique<Pool2d<Scalar>>(
        input, spec.kind == "maxpool" ? PoolKind::max : PoolKind::average, spec.kernel,
        spec.stride);
  }
  if (spec.kind == "relu") {
    return std::make_unique<Activation<Scalar>>(input, ActivationKind::relu);
  }
  if (spec.kind == "relu6") {
    return std::make_unique<Activation<Scalar>>(input, ActivationKind::relu6);
  }
  if (spec.kind == "imac_sigmoid") {
    return std::make_unique<Activation<Scalar>>(input, ActivationKind::imac_sigmoid);
  }
  if (spec.kind == "batchnorm") {
    return std::make_unique<BatchNorm<Scalar>>(input);
  }
  if (spec.kind == "flatten") {
    return std::make_unique<Flatten<Scalar>>(input);
  }
  throw NnError("unknown layer kind '" + spec.kind + "'");
}

template <typename Scalar>
Sequential<Scalar>::Sequential(const Architecture& architecture) : architecture_(architecture) {
  for (std::size_t l = 0; l < architecture_.layers().size(); ++l) {
    layers_.push_back(make_layer<Scalar>(architecture_.layers()[l], architecture_.shapes()[l]));
  }
}

template <typename Scalar>
void Sequential<Scalar>::initialise(std::uint64_t seed) {
  device::RandomStream stream(seed);
  for (auto& layer : layers_) {
    for (auto* parameter : layer->parameters()) {
      if (parameter->name != "weight") {
        continue;
      }
      const double bound = std::sqrt(6.0 / static_cast<double>(parameter->dims[1]));
      for (auto& value : parameter->values) {
        value = static_cast<Scalar>(stream.uniform(-bound, bound));
      }
    }
  }
}

template <typename Scalar>
void Sequential<Scalar>::forward(const Tensor<Scalar>& input, ForwardTrace<Scalar>& trace,
                                 Phase phase, std::size_t first, std::size_t last) const {
  last = std::min(last, layers_.size());
  if (input.shape() != layers_[first]->input_shape()) {
    throw NnError("the model takes " + shape_text(layers_[first]->input_shape()) +
                  " inputs at layer " + std::to_string(first) + ", got " +
                  shape_text(input.shape()));
  }
  trace.activations.resize(last - first + 1);
  trace.caches.resize(last - first);
  trace.activations[0] = input;
  for (std::size_t l = first; l < last; ++l) {
    layers_[l]->forward(trace.activations[l - first], trace.activations[l - first + 1],
                        trace.caches[l - first], phase);
  }
}

template <typename Scalar>
void Sequential<Scalar>::backward(
    const Tensor<Scalar>& output_gradient, const ForwardTrace<Scalar>& trace,
    std::vector<std::vector<std::vector<Scalar>>>& parameter_gradients,
    Tensor<Scalar>* input_gradient, std::size_t first, std::size_t last) const {
  last = std::min(last, layers_.size());
  // Per thread and kept from pass to pass: batch after batch the same sizes, so the buffers are
  // not returned to the system and faulted in again (that cost 10 % of a training step).
  thread_local Tensor<Scalar> gradient;
  thread_local Tensor<Scalar> next;
  gradient = output_gradient;
  for (std::size_t l = last; l-- > first;) {
    const bool needs_input = l > first || input_gradient != nullptr;
    layers_[l]->backward(gradient, needs_input ? &next : nullptr, trace.caches[l - first],
                         parameter_gradients[l]);
    if (needs_input) {
      std::swap(gradient, next);
    }
  }
  if (input_gradient != nullptr) {
    *input_gradient = gradient;
  }
}

template <typename Scalar>
std::vector<std::vector<std::vector<Scalar>>> Sequential<Scalar>::zero_gradients() const {
  std::vector<std::vector<std::vector<Scalar>>> gradients(layers_.size());
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    for (const auto* parameter : std::as_const(*layers_[l]).parameters()) {
      gradients[l].emplace_back(parameter->values.size(), Scalar{0});
    }
  }
  return gradients;
}

template <typename Scalar>
std::vector<Parameter<Scalar>*> Sequential<Scalar>::parameters() {
  std::vector<Parameter<Scalar>*> all;
  for (auto& layer : layers_) {
    for (auto* parameter : layer->parameters()) {
      all.push_back(parameter);
    }
  }
  return all;
}

template <typename Scalar>
std::vector<const Parameter<Scalar>*> Sequential<Scalar>::parameters() const {
  auto all = const_cast<Sequential*>(this)->parameters();
  return {all.begin(), all.end()};
}

template <typename Scalar>
std::uint64_t Sequential<Scalar>::macs() const {
  std::uint64_t total = 0;
  for (const auto& layer : layers_) {
    total += layer->macs();
  }
  return total;
}

template class Sequential<float>;
template class Sequential<double>;
template std::unique_ptr<Layer<float>> make_layer<float>(const LayerSpec&, Shape);
template std::unique_ptr<Layer<double>> make_layer<double>(const LayerSpec&, Shape);

}  // namespace imcosim::nn
