#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace imcosim::tpu {

// One convolution as SCALE-Sim's topology describes it: the input feature map is already padded,
// so ofmap = ceil((ifmap - filter + stride) / stride) in each direction.
struct ConvLayer {
  std::string name;
  std::int64_t ifmap_height = 0;
  std::int64_t ifmap_width = 0;
  std::int64_t filter_height = 0;
  std::int64_t filter_width = 0;
  std::int64_t channels = 0;
  std::int64_t num_filters = 0;
  std::int64_t stride_height = 1;
  std::int64_t stride_width = 1;

  [[nodiscard]] std::int64_t ofmap_height() const noexcept;
  [[nodiscard]] std::int64_t ofmap_width() const noexcept;
  [[nodiscard]] std::int64_t ofmap_pixels() const noexcept {
    return ofmap_height() * ofmap_width();
  }
  // Elements of one convolution window: filter_height * filter_width * channels.
  [[nodiscard]] std::int64_t window_size() const noexcept;
  [[nodiscard]] std::int64_t mac_operations() const noexcept;
};

// The most MAC operations, and input elements, one layer may have: the model's counts stay
// exact as doubles in its reports, and their products with array sizes fit 64 bits.
inline constexpr std::int64_t max_layer_operations = std::int64_t{1} << 53;

// Checks that every dimension is positive, the filter fits the input, and the layer's operations
// and input elements are at most max_layer_operations; throws TpuError prefixed with `where`.
void validate_layer(const ConvLayer& layer, std::string_view where);

// A GEMM C[M][N] = A[M][K] * B[K][N], written as SCALE-Sim does: an M x K input convolved with
// N filters of 1 x K.
ConvLayer gemm_as_conv_layer(std::string name, std::int64_t m, std::int64_t n, std::int64_t k);

enum class TopologyFormat {
  detect,  // GEMM when the header names exactly the columns M, N, K; convolution otherwise
  conv,
  gemm,
};

struct Topology {
  std::string name;
  std::vector<ConvLayer> layers;
};

// Reads a SCALE-Sim topology CSV (first line is a header; trailing commas are optional; a conv
// layer whose name contains "DP" is depthwise and expands into one single-channel layer per
// channel, as SCALE-Sim does). Throws TpuError naming the file, the line and what was expected.
Topology read_topology(const std::filesystem::path& path, TopologyFormat format);

// The same from text in memory; `source_name` names it in error messages.
Topology parse_topology(std::string_view text, std::string_view source_name, TopologyFormat format);

}  // namespace imcosim::tpu
