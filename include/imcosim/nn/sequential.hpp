#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "imcosim/nn/architecture.hpp"
#include "imcosim/nn/layer.hpp"

namespace imcosim::nn {

// What a forward pass over one batch keeps: every layer's output (index 0 is the input) and
// every layer's cache. One per thread when batches run in parallel.
template <typename Scalar>
struct ForwardTrace {
  std::vector<Tensor<Scalar>> activations;
  std::vector<LayerCache<Scalar>> caches;
};

// The model as an ordered container of layers, as PyTorch's nn.Sequential.
template <typename Scalar>
class Sequential {
 public:
  explicit Sequential(const Architecture& architecture);
  // Copies hold their own layers with the same parameter values.
  Sequential(const Sequential& other) : Sequential(other.architecture_) {
    copy_parameters_from(other);
  }
  Sequential& operator=(const Sequential& other) {
    if (this != &other) {
      Sequential copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  Sequential(Sequential&&) noexcept = default;
  Sequential& operator=(Sequential&&) noexcept = default;
  ~Sequential() = default;

  [[nodiscard]] const Architecture& architecture() const noexcept { return architecture_; }
  [[nodiscard]] std::size_t size() const noexcept { return layers_.size(); }
  [[nodiscard]] Layer<Scalar>& layer(std::size_t index) { return *layers_[index]; }
  [[nodiscard]] const Layer<Scalar>& layer(std::size_t index) const { return *layers_[index]; }

  // He-uniform weights (bound sqrt(6 / fan_in)), zero biases, from a seeded stream.
  void initialise(std::uint64_t seed);

  // Runs layers [first, last) on `input`; trace.activations.back() is the output.
  void forward(const Tensor<Scalar>& input, ForwardTrace<Scalar>& trace, Phase phase,
               std::size_t first = 0, std::size_t last = static_cast<std::size_t>(-1)) const;
  // Backward over layers [first, last) from dL/d(output of layer last-1); returns nothing for
  // the input when `first` is 0. parameter_gradients[layer][parameter] is added to.
  void backward(const Tensor<Scalar>& output_gradient, const ForwardTrace<Scalar>& trace,
                std::vector<std::vector<std::vector<Scalar>>>& parameter_gradients,
                Tensor<Scalar>* input_gradient, std::size_t first = 0,
                std::size_t last = static_cast<std::size_t>(-1)) const;

  // Zeroed gradient buffers shaped like the parameters.
  [[nodiscard]] std::vector<std::vector<std::vector<Scalar>>> zero_gradients() const;
  // Every parameter, layer by layer, in order: the flat view optimisers and files use.
  [[nodiscard]] std::vector<Parameter<Scalar>*> parameters();
  [[nodiscard]] std::vector<const Parameter<Scalar>*> parameters() const;

  [[nodiscard]] std::uint64_t macs() const;

  // Copies every parameter from a model of the same architecture in another precision.
  template <typename Other>
  void copy_parameters_from(const Sequential<Other>& other);

 private:
  Architecture architecture_;
  std::vector<std::unique_ptr<Layer<Scalar>>> layers_;
};

template <typename Scalar>
template <typename Other>
void Sequential<Scalar>::copy_parameters_from(const Sequential<Other>& other) {
  auto mine = parameters();
  const auto theirs = other.parameters();
  for (std::size_t p = 0; p < mine.size(); ++p) {
    mine[p]->values.assign(theirs[p]->values.begin(), theirs[p]->values.end());
  }
}

// Creates the layer a spec describes for a given input shape; throws NnError.
template <typename Scalar>
std::unique_ptr<Layer<Scalar>> make_layer(const LayerSpec& spec, Shape input);

}  // namespace imcosim::nn
