#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "imcosim/nn/layers.hpp"
#include "imcosim/tpu/functional.hpp"
#include "imcosim/tpu/tensor.hpp"
#include "imcosim/tpu/tpu_model.hpp"

namespace imcosim::nn {

// How one convolution of the TPU part computes in int8, as the TPU model executes it:
//  * activations are symmetric int8 per tensor: real = scale x code, zero point 0 (padding is
//    then code 0 = real 0, exactly what the array's zero padding feeds in);
//  * weights are symmetric int8 per output channel, codes in -127..127, scale max|W_n| / 127;
//  * the bias is an int32 code in units of input scale x weight scale, added to the int32
//    accumulator;
//  * the accumulator is requantised per channel by tpu::Requantisation (a 31-bit multiplier and
//    a right shift approximating input scale x weight scale / output scale, rounding half away
//    from zero), and the layer's activation is fused into its clamp: ReLU clamps at code 0, ReLU6
//    also at the code of 6.
struct ActivationRange {
  double input_scale = 1.0;   // real value of one input code
  double output_scale = 1.0;  // real value of one output code
  std::int32_t clamp_low = -128;
  std::int32_t clamp_high = 127;
};

// The int8 operands of one convolution, derived from its float parameters and ranges: what the
// TPU model consumes (tpu::ConvStage) and what fake-quantised training computes with.
struct QuantisedConv {
  std::vector<std::int8_t> weight_codes;            // [filters][window], as Conv2d's weight
  std::vector<double> weight_scales;                // [filters]
  std::vector<std::int32_t> bias_codes;             // [filters]
  std::vector<tpu::Requantisation> requantisation;  // [filters]
};

QuantisedConv quantise_conv(const Conv2d<float>& conv, const ActivationRange& range);

// How one dense layer of the FC part computes when the TPU runs it (the TPU-only deployment):
// an int8 GEMM on the array with weights symmetric int8 per output channel and an int32 bias
// code, as a convolution's; the array's int32 accumulator then leaves the array, and the host
// (the TPU's activation unit) computes the neuron in float32: the real pre-activation
// (accumulator + bias) x input scale x weight scale, then the analog neuron's decreasing
// sigmoid 1 / (1 + e^x), whose value in (0, 1) is the next layer's int8 input at scale 1/127.
// The last layer's sigmoid values are the class scores.
struct QuantisedDense {
  double input_scale = 1.0;               // real value of one input code
  std::vector<std::int8_t> weight_codes;  // [outputs][inputs], as Dense's weight
  std::vector<double> weight_scales;      // [outputs]
  std::vector<std::int32_t> bias_codes;   // [outputs]
};

QuantisedDense quantise_dense(const Dense<float>& dense, double input_scale);

// The real value of one neuron code: the sigmoid's range (0, 1) on codes 0 ... 127.
inline constexpr double neuron_code_scale = 1.0 / 127.0;

// Output n's pre-activation from its int32 accumulator (bias not yet added), in float32.
float dense_pre_activation(const QuantisedDense& dense, std::size_t n, std::int64_t accumulator);
// The neuron's value 1 / (1 + e^x) of a pre-activation, and its code at neuron_code_scale.
float neuron_value(float pre_activation);
std::int8_t neuron_code(float pre_activation);

// The TPU stage of a dense layer: its GEMM as a 1 x 1 convolution of a 1 x 1 x inputs map.
// The stage's own requantisation is unused (the host takes the accumulators).
tpu::ConvStage tpu_dense_stage(const QuantisedDense& quantised, std::size_t inputs,
                               const std::string& name);

// round(clamp(value, low, high)) half away from zero, as std::round, for integral bounds within
// +-2^31 (clamping first rounds to the same integer). Inline: beyond the x86-64 baseline the build
// targets (SSE4.1) std::round is a library call, and the int8 paths round every activation and
// every weight they quantise.
inline std::int64_t round_clamped(double value, double low, double high) noexcept {
  const double bounded = std::clamp(value, low, high);
  const auto truncated = static_cast<std::int64_t>(bounded);         // toward zero
  const double fraction = bounded - static_cast<double>(truncated);  // exact
  return truncated + (fraction >= 0.5 ? 1 : 0) - (fraction <= -0.5 ? 1 : 0);
}

// Real values -> int8 codes: clamp(round(value / scale), -128, 127), half away from zero.
inline std::int8_t activation_code(double value, double scale) noexcept {
  return static_cast<std::int8_t>(round_clamped(value / scale, -128.0, 127.0));
}
// Activations are float; the code is computed in double, as above (the widening is exact).
inline std::int8_t activation_code(float value, double scale) noexcept {
  return activation_code(static_cast<double>(value), scale);
}

// The TPU stage (weights, geometry, bias, per-channel requantisation, groups) of a convolution.
tpu::ConvStage tpu_stage(const Conv2d<float>& conv, const QuantisedConv& quantised,
                         const std::string& name);

// Average pooling of int8 codes (the TPU's host-side pooling): round(sum / k^2) half away
// from zero, in integers. Max pooling of codes is exact as it is.
tpu::Int8FeatureMap average_pool_codes(const tpu::Int8FeatureMap& codes, std::size_t kernel,
                                       std::size_t stride);
tpu::Int8FeatureMap max_pool_codes(const tpu::Int8FeatureMap& codes, std::size_t kernel,
                                   std::size_t stride);
std::int8_t average_code(std::int64_t sum, std::int64_t count);

}  // namespace imcosim::nn
