#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

namespace imcosim::nn {

// The shape of one sample's feature map: height x width x channels. A vector (the input of a
// dense layer) is 1 x 1 x features.
struct Shape {
  std::size_t height = 1;
  std::size_t width = 1;
  std::size_t channels = 1;

  [[nodiscard]] std::size_t size() const noexcept { return height * width * channels; }
  [[nodiscard]] std::size_t pixels() const noexcept { return height * width; }
  friend bool operator==(const Shape&, const Shape&) = default;
};

// "28x28x1", the notation of messages and architecture files.
std::string shape_text(const Shape& shape);

template <typename Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A batch of feature maps in NHWC order (channel fastest): the order the TPU streams
// activations in, so that a convolution's im2col rows and a flattened feature map both follow
// (row, col, channel) as tpu::lower_ifmap and the IMAC input rows do.
template <typename Scalar>
class Tensor {
 public:
  Tensor() = default;
  Tensor(std::size_t batch, Shape shape)
      : batch_(batch), shape_(shape), values_(batch * shape.size(), Scalar{0}) {}

  void resize(std::size_t batch, Shape shape) {
    batch_ = batch;
    shape_ = shape;
    values_.assign(batch * shape.size(), Scalar{0});
  }
  // As resize, but the values are left unspecified, for a caller that writes every one of them:
  // a forward pass reusing its buffers then does not clear them first.
  void resize_for_overwrite(std::size_t batch, Shape shape) {
    batch_ = batch;
    shape_ = shape;
    values_.resize(batch * shape.size());
  }

  [[nodiscard]] std::size_t batch() const noexcept { return batch_; }
  [[nodiscard]] const Shape& shape() const noexcept { return shape_; }
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] Scalar* data() noexcept { return values_.data(); }
  [[nodiscard]] const Scalar* data() const noexcept { return values_.data(); }
  [[nodiscard]] Scalar* sample(std::size_t n) noexcept { return data() + n * shape_.size(); }
  [[nodiscard]] const Scalar* sample(std::size_t n) const noexcept {
    return data() + n * shape_.size();
  }
  [[nodiscard]] std::vector<Scalar>& values() noexcept { return values_; }
  [[nodiscard]] const std::vector<Scalar>& values() const noexcept { return values_; }

  // (batch * height * width) x channels: one row per pixel.
  [[nodiscard]] Eigen::Map<RowMatrix<Scalar>> pixel_rows() {
    return {data(), static_cast<Eigen::Index>(batch_ * shape_.pixels()),
            static_cast<Eigen::Index>(shape_.channels)};
  }
  [[nodiscard]] Eigen::Map<const RowMatrix<Scalar>> pixel_rows() const {
    return {data(), static_cast<Eigen::Index>(batch_ * shape_.pixels()),
            static_cast<Eigen::Index>(shape_.channels)};
  }
  // batch x (height * width * channels): one row per sample.
  [[nodiscard]] Eigen::Map<RowMatrix<Scalar>> sample_rows() {
    return {data(), static_cast<Eigen::Index>(batch_), static_cast<Eigen::Index>(shape_.size())};
  }
  [[nodiscard]] Eigen::Map<const RowMatrix<Scalar>> sample_rows() const {
    return {data(), static_cast<Eigen::Index>(batch_), static_cast<Eigen::Index>(shape_.size())};
  }

 private:
  std::size_t batch_ = 0;
  Shape shape_{};
  std::vector<Scalar> values_;
};

}  // namespace imcosim::nn
