#pragma once

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

// Real values -> int8 codes: clamp(round(value / scale), -128, 127), half away from zero.
std::int8_t activation_code(double value, double scale);

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
