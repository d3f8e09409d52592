#include <string>
#include <utility>

#include "imcosim/tpu/tensor.hpp"

namespace imcosim::tpu {

FilterBank::FilterBank(std::size_t count, std::size_t height, std::size_t width,
                       std::size_t channels, std::vector<std::int8_t> values)
    : count_(count),
      height_(height),
      width_(width),
      channels_(channels),
      values_(std::move(values)) {
  if (count_ == 0 || height_ == 0 || width_ == 0 || channels_ == 0) {
    throw TpuError("filter bank of " + std::to_string(count_) + " filters of " +
                   std::to_string(height_) + " x " + std::to_string(width_) + " x " +
                   std::to_string(channels_) + ": every dimension must be at least 1");
  }
  if (values_.size() != count_ * window_size()) {
    throw TpuError("filter bank of " + std::to_string(count_) + " filters of " +
                   std::to_string(height_) + " x " + std::to_string(width_) + " x " +
                   std::to_string(channels_) + " needs " + std::to_string(count_ * window_size()) +
                   " values, got " + std::to_string(values_.size()));
  }
}

}  // namespace imcosim::tpu
