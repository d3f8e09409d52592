#pragma once

// The layer types of the nn stage. Each declares its hyper-parameters in a spec struct, checks
// them against its input shape at construction, and owns its parameters.

#include <cstddef>

#include "imcosim/nn/layer.hpp"

namespace imcosim::nn {

// 2-D convolution with zero padding and channel groups (groups = channels: depthwise).
// weight [filters][kernel_height * kernel_width * channels / groups], each row one filter in
// (row, col, channel) order as tpu::FilterBank stores it; bias [filters].
struct Conv2dSpec {
  std::size_t filters = 1;
  std::size_t kernel_height = 1;
  std::size_t kernel_width = 1;
  std::size_t stride = 1;
  std::size_t padding = 0;
  std::size_t groups = 1;
};

template <typename Scalar>
class Conv2d final : public Layer<Scalar> {
 public:
  Conv2d(Shape input, const Conv2dSpec& spec);
  [[nodiscard]] std::string kind() const override { return "conv2d"; }
  [[nodiscard]] Shape output_shape() const override { return output_; }
  [[nodiscard]] const Conv2dSpec& spec() const noexcept { return spec_; }
  // Elements of one group's window: kernel_height * kernel_width * channels / groups.
  [[nodiscard]] std::size_t window() const noexcept { return window_; }
  void forward(const Tensor<Scalar>& input, Tensor<Scalar>& output, LayerCache<Scalar>& cache,
               Phase phase) const override;
  void backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                const LayerCache<Scalar>& cache,
                std::vector<std::vector<Scalar>>& parameter_gradients) const override;
  [[nodiscard]] std::vector<Parameter<Scalar>*> parameters() override { return {&weight_, &bias_}; }
  [[nodiscard]] std::uint64_t macs() const override {
    return std::uint64_t{output_.size()} * window_;
  }

  // im2col of a batch: one row per output pixel, the groups' windows side by side.
  void lower(const Tensor<Scalar>& input, RowMatrix<Scalar>& lowered) const;
  // The same of `count` consecutive samples (NHWC, of this layer's input shape).
  void lower(const Scalar* images, std::size_t count, RowMatrix<Scalar>& lowered) const;
  // The forward pass from an already lowered input (used by the quantised variant, which
  // lowers quantised values) with the given weights [filters][window].
  void convolve(const RowMatrix<Scalar>& lowered, const Scalar* weight, const Scalar* bias,
                Tensor<Scalar>& output, std::size_t batch) const;

 private:
  Conv2dSpec spec_;
  Shape output_;
  std::size_t window_;
  Parameter<Scalar> weight_;
  Parameter<Scalar> bias_;
};

// Fully connected: y = W x + b, weight [outputs][inputs] (PyTorch's nn.Linear layout, the IMAC
// model file's layout), bias [outputs]. Its input must be flat (1 x 1 x inputs).
template <typename Scalar>
class Dense final : public Layer<Scalar> {
 public:
  Dense(Shape input, std::size_t outputs);
  [[nodiscard]] std::string kind() const override { return "dense"; }
  [[nodiscard]] Shape output_shape() const override { return {1, 1, outputs_}; }
  void forward(const Tensor<Scalar>& input, Tensor<Scalar>& output, LayerCache<Scalar>& cache,
               Phase phase) const override;
  void backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                const LayerCache<Scalar>& cache,
                std::vector<std::vector<Scalar>>& parameter_gradients) const override;
  [[nodiscard]] std::vector<Parameter<Scalar>*> parameters() override { return {&weight_, &bias_}; }
  [[nodiscard]] std::uint64_t macs() const override {
    return std::uint64_t{outputs_} * this->input_shape().size();
  }

 private:
  std::size_t outputs_;
  Parameter<Scalar> weight_;
  Parameter<Scalar> bias_;
};

enum class PoolKind { max, average };

// Max or average pooling over kernel x kernel windows, no padding.
template <typename Scalar>
class Pool2d final : public Layer<Scalar> {
 public:
  Pool2d(Shape input, PoolKind pool, std::size_t kernel, std::size_t stride);
  [[nodiscard]] std::string kind() const override {
    return pool_ == PoolKind::max ? "maxpool" : "avgpool";
  }
  [[nodiscard]] Shape output_shape() const override { return output_; }
  [[nodiscard]] PoolKind pool() const noexcept { return pool_; }
  [[nodiscard]] std::size_t kernel() const noexcept { return kernel_; }
  [[nodiscard]] std::size_t stride() const noexcept { return stride_; }
  void forward(const Tensor<Scalar>& input, Tensor<Scalar>& output, LayerCache<Scalar>& cache,
               Phase phase) const override;
  void backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                const LayerCache<Scalar>& cache,
                std::vector<std::vector<Scalar>>& parameter_gradients) const override;

 private:
  PoolKind pool_;
  std::size_t kernel_;
  std::size_t stride_;
  Shape output_;
};

enum class ActivationKind {
  relu,
  relu6,
  // The IMAC analog neuron's shape: 1 / (1 + e^x), a decreasing sigmoid (docs/imac.md).
  imac_sigmoid,
};

template <typename Scalar>
class Activation final : public Layer<Scalar> {
 public:
  Activation(Shape input, ActivationKind activation);
  [[nodiscard]] std::string kind() const override;
  [[nodiscard]] Shape output_shape() const override { return this->input_shape(); }
  [[nodiscard]] ActivationKind activation() const noexcept { return activation_; }
  void forward(const Tensor<Scalar>& input, Tensor<Scalar>& output, LayerCache<Scalar>& cache,
               Phase phase) const override;
  void backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                const LayerCache<Scalar>& cache,
                std::vector<std::vector<Scalar>>& parameter_gradients) const override;

 private:
  ActivationKind activation_;
};

// Batch normalisation per channel: y = gamma (x - mean) / sqrt(var + epsilon) + beta. Training
// normalises with the statistics of the batch chunk a thread runs (a fixed number of images,
// so results do not depend on the thread count) and folds them into running statistics with
// `momentum`; inference uses the running statistics, and deployment folds them into the
// preceding convolution.
template <typename Scalar>
class BatchNorm final : public Layer<Scalar> {
 public:
  static constexpr double epsilon = 1e-5;
  static constexpr double momentum = 0.1;

  explicit BatchNorm(Shape input);
  [[nodiscard]] std::string kind() const override { return "batchnorm"; }
  [[nodiscard]] Shape output_shape() const override { return this->input_shape(); }
  void forward(const Tensor<Scalar>& input, Tensor<Scalar>& output, LayerCache<Scalar>& cache,
               Phase phase) const override;
  void backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                const LayerCache<Scalar>& cache,
                std::vector<std::vector<Scalar>>& parameter_gradients) const override;
  void update_running_statistics(const LayerCache<Scalar>& cache) override;
  [[nodiscard]] std::vector<Parameter<Scalar>*> parameters() override {
    return {&gamma_, &beta_, &running_mean_, &running_variance_};
  }

 private:
  Parameter<Scalar> gamma_;
  Parameter<Scalar> beta_;
  Parameter<Scalar> running_mean_;
  Parameter<Scalar> running_variance_;
};

// Reshapes H x W x C to 1 x 1 x (H W C), keeping the (row, col, channel) order.
template <typename Scalar>
class Flatten final : public Layer<Scalar> {
 public:
  explicit Flatten(Shape input) : Layer<Scalar>(input) {}
  [[nodiscard]] std::string kind() const override { return "flatten"; }
  [[nodiscard]] Shape output_shape() const override { return {1, 1, this->input_shape().size()}; }
  void forward(const Tensor<Scalar>& input, Tensor<Scalar>& output, LayerCache<Scalar>& cache,
               Phase phase) const override;
  void backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                const LayerCache<Scalar>& cache,
                std::vector<std::vector<Scalar>>& parameter_gradients) const override;
};

}  // namespace imcosim::nn
