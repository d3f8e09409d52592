#include <cstdint>
#include <limits>
#include <string>

#include "imcosim/memory_budget.hpp"
#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/topology.hpp"

namespace imcosim::tpu {

namespace {

// ceil((ifmap - filter + stride) / stride) for positive operands with filter <= ifmap.
std::int64_t ofmap_extent(std::int64_t ifmap, std::int64_t filter, std::int64_t stride) noexcept {
  return (ifmap - filter + stride + stride - 1) / stride;
}

}  // namespace

std::int64_t ConvLayer::ofmap_height() const noexcept {
  return ofmap_extent(ifmap_height, filter_height, stride_height);
}

std::int64_t ConvLayer::ofmap_width() const noexcept {
  return ofmap_extent(ifmap_width, filter_width, stride_width);
}

std::int64_t ConvLayer::window_size() const noexcept {
  return filter_height * filter_width * channels;
}

std::int64_t ConvLayer::mac_operations() const noexcept {
  return ofmap_pixels() * num_filters * window_size();
}

void validate_layer(const ConvLayer& layer, std::string_view where) {
  const std::pair<const char*, std::int64_t> dimensions[] = {
      {"IFMAP height", layer.ifmap_height},   {"IFMAP width", layer.ifmap_width},
      {"filter height", layer.filter_height}, {"filter width", layer.filter_width},
      {"channels", layer.channels},           {"number of filters", layer.num_filters},
      {"stride height", layer.stride_height}, {"stride width", layer.stride_width}};
  for (const auto& [name, value] : dimensions) {
    if (value < 1) {
      throw TpuError(std::string(where) + "layer '" + layer.name + "': " + name +
                     " must be at least 1, got " + std::to_string(value));
    }
    if (value > max_layer_operations) {
      throw TpuError(std::string(where) + "layer '" + layer.name + "': " + name + " = " +
                     std::to_string(value) + " exceeds the model's 2^53");
    }
  }
  if (layer.filter_height > layer.ifmap_height || layer.filter_width > layer.ifmap_width) {
    throw TpuError(std::string(where) + "layer '" + layer.name + "': the " +
                   std::to_string(layer.filter_height) + " x " +
                   std::to_string(layer.filter_width) + " filter is larger than the " +
                   std::to_string(layer.ifmap_height) + " x " + std::to_string(layer.ifmap_width) +
                   " IFMAP");
  }
  // Products of the dimensions, checked before they are formed in 64 bits.
  const auto u = [](std::int64_t value) { return static_cast<std::uint64_t>(value); };
  const std::uint64_t input_elements =
      saturating_product({u(layer.ifmap_height), u(layer.ifmap_width), u(layer.channels)});
  const std::uint64_t operations =
      saturating_product({u(layer.ofmap_height()), u(layer.ofmap_width()), u(layer.num_filters),
                          u(layer.filter_height), u(layer.filter_width), u(layer.channels)});
  const auto limit = u(max_layer_operations);
  if (input_elements > limit || operations > limit) {
    const auto count = [](std::uint64_t value) {
      return value == std::numeric_limits<std::uint64_t>::max() ? std::string("more than 2^64")
                                                                : std::to_string(value);
    };
    throw TpuError(std::string(where) + "layer '" + layer.name + "': " + count(operations) +
                   " MAC operations on " + count(input_elements) +
                   " input elements; the model takes at most 2^53 (" + std::to_string(limit) +
                   ") of each per layer");
  }
}

ConvLayer gemm_as_conv_layer(std::string name, std::int64_t m, std::int64_t n, std::int64_t k) {
  return ConvLayer{std::move(name), m, k, 1, k, 1, n, 1, 1};
}

}  // namespace imcosim::tpu
