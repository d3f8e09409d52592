#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "imcosim/nn/tensor.hpp"

namespace imcosim::nn {

// Whether a forward pass is part of training (batch statistics, caches for backward) or
// inference (running statistics).
enum class Phase { training, inference };

// A learnable parameter: its values and the shape they are stored in (row-major), e.g. a
// convolution's [filters][height * width * channels] or a bias's [filters].
template <typename Scalar>
struct Parameter {
  std::string name;               // "weight", "bias", "gamma", "beta"
  std::vector<std::size_t> dims;  // product equals values.size()
  std::vector<Scalar> values;
  // false for state that is not learnt by gradient descent (batch-norm running statistics).
  bool trainable = true;
};

// What one layer's forward pass keeps for its backward pass, per batch: each layer uses the
// members it needs (its input, its lowered input, argmax indices, normalised values).
template <typename Scalar>
struct LayerCache {
  Tensor<Scalar> input;
  RowMatrix<Scalar> lowered;
  Tensor<Scalar> normalised;
  std::vector<Scalar> statistics;
  std::vector<std::uint32_t> indices;
};

// A layer in the manner of PyTorch's nn.Module: it owns its parameters and computes its forward
// and its backward pass. Its input shape is fixed at construction, where every size is checked,
// so a constructed layer always chains. forward() and backward() only read the parameters and
// write the caller's cache and gradient buffers, so batches may run on several threads at once.
template <typename Scalar>
class Layer {
 public:
  virtual ~Layer() = default;

  // The architecture-file keyword ("conv2d", "dense", ...).
  [[nodiscard]] virtual std::string kind() const = 0;
  [[nodiscard]] const Shape& input_shape() const noexcept { return input_shape_; }
  [[nodiscard]] virtual Shape output_shape() const = 0;

  virtual void forward(const Tensor<Scalar>& input, Tensor<Scalar>& output,
                       LayerCache<Scalar>& cache, Phase phase) const = 0;
  // dL/d(input) into `input_gradient` (skipped when null: the first layer) and dL/d(parameter)
  // added to `parameter_gradients`, one vector per parameter() in order.
  virtual void backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                        const LayerCache<Scalar>& cache,
                        std::vector<std::vector<Scalar>>& parameter_gradients) const = 0;

  // After a training step: fold what forward() measured (batch statistics) into the layer's
  // state. Called once per batch chunk, in chunk order, so the result does not depend on how
  // many threads ran the chunks.
  virtual void update_running_statistics(const LayerCache<Scalar>& /*cache*/) {}

  [[nodiscard]] virtual std::vector<Parameter<Scalar>*> parameters() { return {}; }
  [[nodiscard]] std::vector<const Parameter<Scalar>*> parameters() const;

  // Multiply-accumulates of one sample's forward pass (for benchmarks and reports).
  [[nodiscard]] virtual std::uint64_t macs() const { return 0; }

 protected:
  explicit Layer(Shape input_shape) : input_shape_(input_shape) {}

 private:
  Shape input_shape_;
};

template <typename Scalar>
std::vector<const Parameter<Scalar>*> Layer<Scalar>::parameters() const {
  auto mutable_parameters = const_cast<Layer*>(this)->parameters();
  return {mutable_parameters.begin(), mutable_parameters.end()};
}

}  // namespace imcosim::nn
