#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "imcosim/tpu/tensor.hpp"

namespace imcosim::tpu {

// Stride and zero padding of a functional convolution. The padded input, trimmed to the rows and
// columns the windows reach, is what SCALE-Sim's topology calls the ifmap (conv_layer_for).
struct ConvGeometry {
  std::size_t stride_height = 1;
  std::size_t stride_width = 1;
  std::size_t padding_height = 0;
  std::size_t padding_width = 0;
};

// floor((input + 2 * padding - filter) / stride) + 1: only windows that lie wholly inside the
// padded input produce outputs. Throws TpuError if the filter does not fit or the stride is 0.
std::size_t conv_output_extent(std::size_t input, std::size_t filter, std::size_t stride,
                               std::size_t padding, const char* axis);

// im2col: one row per ofmap pixel (row-major over the ofmap), one column per window element in
// (filter row, filter col, channel) order; padded positions are 0.
Int8Matrix lower_ifmap(const Int8FeatureMap& input, std::size_t filter_height,
                       std::size_t filter_width, const ConvGeometry& geometry);

// window x filters: column n is filter n.
Int8Matrix lower_filters(const FilterBank& filters);

// The integer kernels below use AVX2 where the processor has it and portable code otherwise;
// every body gives the same bits. false selects the portable bodies (to test them on any
// machine); true, the default, the fastest the processor allows.
void use_vector_kernels(bool enabled) noexcept;

// The fast path: C = A * B with int32 accumulation, parallel over rows of A with OpenMP.
// `b_transposed` is B stored N x K. Throws TpuError on shape mismatch or K > max_exact_window.
Int32Matrix multiply_int8(const Int8Matrix& a, const Int8Matrix& b_transposed);

// The fast path for a whole convolution: bit-identical to lowering and running the array.
Int32FeatureMap convolve_int8(const Int8FeatureMap& input, const FilterBank& filters,
                              const ConvGeometry& geometry);

// int32 -> int8: q = clamp(zero_point + round(acc * multiplier / 2^right_shift), clamp_low,
// clamp_high), rounding half away from zero, computed exactly in 64-bit integers. The real scale
// is multiplier / 2^right_shift. The clamp bounds fuse the layer's activation into the output
// stage as edge TPUs do: ReLU clamps at the zero point, ReLU6 also at the code of 6.
struct Requantisation {
  std::int32_t multiplier = 1;
  int right_shift = 0;  // 0 ... 62
  std::int32_t zero_point = 0;
  std::int32_t clamp_low = -128;  // -128 <= clamp_low <= clamp_high <= 127
  std::int32_t clamp_high = 127;

  // The rule nearest to `scale` (> 0) with a 31-bit multiplier; throws TpuError otherwise.
  static Requantisation from_scale(double scale, std::int32_t zero_point);
};

void validate_requantisation(const Requantisation& rule);
// Inline: the output stage of every convolution runs it on each accumulator.
inline std::int8_t requantise(std::int32_t accumulator, const Requantisation& rule) noexcept {
  // |accumulator * multiplier| < 2^62, so the product and the rounding offset fit in 64 bits.
  // Without a branch on the shift (half is 0 for a shift of 0), so a loop over accumulators
  // pipelines.
  const std::int64_t product = std::int64_t{accumulator} * std::int64_t{rule.multiplier};
  const std::int64_t half =
      rule.right_shift > 0 ? std::int64_t{1} << (rule.right_shift - 1) : std::int64_t{0};
  const std::int64_t magnitude = ((product < 0 ? -product : product) + half) >> rule.right_shift;
  const std::int64_t shifted =
      std::int64_t{rule.zero_point} + (product < 0 ? -magnitude : magnitude);
  return static_cast<std::int8_t>(
      std::clamp<std::int64_t>(shifted, rule.clamp_low, rule.clamp_high));
}
Int8FeatureMap requantise(const Int32FeatureMap& accumulators, const Requantisation& rule);

// The output stage of a convolution: `pixels` rows of `channels` accumulators (channel fastest),
// a bias and a rule per channel, codes[p * channels + c] = requantise(acc + bias[c] saturated to
// int32, rules[c]). Bit-identical to the rule above; uses AVX2 where the processor has it.
void requantise_channels(const std::int32_t* accumulators, std::size_t pixels, std::size_t channels,
                         const std::int32_t* bias, const Requantisation* rules, std::int8_t* codes);

}  // namespace imcosim::tpu
