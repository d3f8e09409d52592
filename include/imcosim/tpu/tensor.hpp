#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/tpu/error.hpp"

namespace imcosim::tpu {

// Dense row-major matrix; the element count always equals rows * cols.
template <typename Element>
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), values_(rows * cols) {}
  Matrix(std::size_t rows, std::size_t cols, std::vector<Element> values)
      : rows_(rows), cols_(cols), values_(std::move(values)) {
    if (values_.size() != rows_ * cols_) {
      throw TpuError("matrix of " + std::to_string(rows_) + " x " + std::to_string(cols_) +
                     " needs " + std::to_string(rows_ * cols_) + " values, got " +
                     std::to_string(values_.size()));
    }
  }

  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
  [[nodiscard]] Element operator()(std::size_t row, std::size_t col) const noexcept {
    return values_[row * cols_ + col];
  }
  [[nodiscard]] Element& operator()(std::size_t row, std::size_t col) noexcept {
    return values_[row * cols_ + col];
  }
  [[nodiscard]] const Element* row_data(std::size_t row) const noexcept {
    return values_.data() + row * cols_;
  }
  [[nodiscard]] Element* row_data(std::size_t row) noexcept { return values_.data() + row * cols_; }
  [[nodiscard]] const std::vector<Element>& values() const noexcept { return values_; }

  friend bool operator==(const Matrix&, const Matrix&) = default;

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<Element> values_;
};

using Int8Matrix = Matrix<std::int8_t>;
using Int32Matrix = Matrix<std::int32_t>;

// Feature map in HWC order (channel fastest), the order a TPU streams activations in.
template <typename Element>
class FeatureMap {
 public:
  FeatureMap() = default;
  FeatureMap(std::size_t height, std::size_t width, std::size_t channels)
      : height_(height), width_(width), channels_(channels), values_(height * width * channels) {}
  FeatureMap(std::size_t height, std::size_t width, std::size_t channels,
             std::vector<Element> values)
      : height_(height), width_(width), channels_(channels), values_(std::move(values)) {
    if (values_.size() != height_ * width_ * channels_) {
      throw TpuError("feature map of " + std::to_string(height_) + " x " + std::to_string(width_) +
                     " x " + std::to_string(channels_) + " needs " +
                     std::to_string(height_ * width_ * channels_) + " values, got " +
                     std::to_string(values_.size()));
    }
  }

  [[nodiscard]] std::size_t height() const noexcept { return height_; }
  [[nodiscard]] std::size_t width() const noexcept { return width_; }
  [[nodiscard]] std::size_t channels() const noexcept { return channels_; }
  [[nodiscard]] Element operator()(std::size_t y, std::size_t x, std::size_t c) const noexcept {
    return values_[(y * width_ + x) * channels_ + c];
  }
  [[nodiscard]] Element& operator()(std::size_t y, std::size_t x, std::size_t c) noexcept {
    return values_[(y * width_ + x) * channels_ + c];
  }
  [[nodiscard]] const std::vector<Element>& values() const noexcept { return values_; }

  friend bool operator==(const FeatureMap&, const FeatureMap&) = default;

 private:
  std::size_t height_ = 0;
  std::size_t width_ = 0;
  std::size_t channels_ = 0;
  std::vector<Element> values_;
};

using Int8FeatureMap = FeatureMap<std::int8_t>;
using Int32FeatureMap = FeatureMap<std::int32_t>;

// Filters in [filter][row][col][channel] order, so one filter is one contiguous convolution
// window in the same (row, col, channel) order the lowered input uses.
class FilterBank {
 public:
  FilterBank() = default;
  FilterBank(std::size_t count, std::size_t height, std::size_t width, std::size_t channels,
             std::vector<std::int8_t> values);

  [[nodiscard]] std::size_t count() const noexcept { return count_; }
  [[nodiscard]] std::size_t height() const noexcept { return height_; }
  [[nodiscard]] std::size_t width() const noexcept { return width_; }
  [[nodiscard]] std::size_t channels() const noexcept { return channels_; }
  [[nodiscard]] std::size_t window_size() const noexcept { return height_ * width_ * channels_; }
  [[nodiscard]] std::int8_t operator()(std::size_t filter, std::size_t y, std::size_t x,
                                       std::size_t c) const noexcept {
    return values_[((filter * height_ + y) * width_ + x) * channels_ + c];
  }
  [[nodiscard]] const std::int8_t* filter_data(std::size_t filter) const noexcept {
    return values_.data() + filter * window_size();
  }
  [[nodiscard]] const std::vector<std::int8_t>& values() const noexcept { return values_; }

 private:
  std::size_t count_ = 0;
  std::size_t height_ = 0;
  std::size_t width_ = 0;
  std::size_t channels_ = 0;
  std::vector<std::int8_t> values_;
};

}  // namespace imcosim::tpu
