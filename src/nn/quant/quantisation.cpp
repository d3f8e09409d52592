#include "imcosim/nn/quantisation.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "imcosim/tpu/tpu_model.hpp"

namespace imcosim::nn {

std::int8_t activation_code(double value, double scale) {
  return static_cast<std::int8_t>(std::clamp(std::round(value / scale), -128.0, 127.0));
}

QuantisedConv quantise_conv(const Conv2d<float>& conv, const ActivationRange& range) {
  const std::size_t filters = conv.spec().filters;
  const std::size_t window = conv.window();
  const Layer<float>& layer = conv;
  const auto& weight = layer.parameters()[0]->values;
  const auto& bias = layer.parameters()[1]->values;
  QuantisedConv q;
  q.weight_codes.resize(filters * window);
  q.weight_scales.resize(filters);
  q.bias_codes.resize(filters);
  for (std::size_t n = 0; n < filters; ++n) {
    double largest = 0.0;
    for (std::size_t k = 0; k < window; ++k) {
      largest = std::max(largest, std::abs(static_cast<double>(weight[n * window + k])));
    }
    // An all-zero filter gets scale 1: its codes are 0 whatever the scale.
    const double scale = largest > 0.0 ? largest / 127.0 : 1.0;
    q.weight_scales[n] = scale;
    for (std::size_t k = 0; k < window; ++k) {
      q.weight_codes[n * window + k] = static_cast<std::int8_t>(std::clamp(
          std::round(static_cast<double>(weight[n * window + k]) / scale), -127.0, 127.0));
    }
    const double accumulator_scale = range.input_scale * scale;
    q.bias_codes[n] = static_cast<std::int32_t>(std::clamp(
        std::round(static_cast<double>(bias[n]) / accumulator_scale), -2147483648.0, 2147483647.0));
    auto rule = tpu::Requantisation::from_scale(accumulator_scale / range.output_scale, 0);
    rule.clamp_low = range.clamp_low;
    rule.clamp_high = range.clamp_high;
    q.requantisation.push_back(rule);
  }
  return q;
}

tpu::ConvStage tpu_stage(const Conv2d<float>& conv, const QuantisedConv& quantised,
                         const std::string& name) {
  const auto& spec = conv.spec();
  tpu::ConvStage stage(
      name,
      tpu::FilterBank(spec.filters, spec.kernel_height, spec.kernel_width,
                      conv.input_shape().channels / spec.groups, quantised.weight_codes),
      {spec.stride, spec.stride, spec.padding, spec.padding}, quantised.requantisation.front());
  stage.channel_requantisation = quantised.requantisation;
  stage.bias = quantised.bias_codes;
  stage.groups = spec.groups;
  return stage;
}

std::int8_t average_code(std::int64_t sum, std::int64_t count) {
  // round(sum / count), half away from zero, in integers.
  const std::int64_t magnitude = (2 * (sum < 0 ? -sum : sum) + count) / (2 * count);
  return static_cast<std::int8_t>(
      std::clamp<std::int64_t>(sum < 0 ? -magnitude : magnitude, -128, 127));
}

namespace {

template <typename Combine>
tpu::Int8FeatureMap pool_codes(const tpu::Int8FeatureMap& codes, std::size_t kernel,
                               std::size_t stride, Combine combine) {
  const std::size_t height = (codes.height() - kernel) / stride + 1;
  const std::size_t width = (codes.width() - kernel) / stride + 1;
  tpu::Int8FeatureMap output(height, width, codes.channels());
  std::vector<std::int8_t> window(kernel * kernel);
  for (std::size_t y = 0; y < height; ++y) {
    for (std::size_t x = 0; x < width; ++x) {
      for (std::size_t c = 0; c < codes.channels(); ++c) {
        for (std::size_t ky = 0; ky < kernel; ++ky) {
          for (std::size_t kx = 0; kx < kernel; ++kx) {
            window[ky * kernel + kx] = codes(y * stride + ky, x * stride + kx, c);
          }
        }
        output(y, x, c) = combine(window);
      }
    }
  }
  return output;
}

}  // namespace

tpu::Int8FeatureMap average_pool_codes(const tpu::Int8FeatureMap& codes, std::size_t kernel,
                                       std::size_t stride) {
  return pool_codes(codes, kernel, stride, [](const std::vector<std::int8_t>& window) {
    std::int64_t sum = 0;
    for (const auto code : window) {
      sum += code;
    }
    return average_code(sum, static_cast<std::int64_t>(window.size()));
  });
}

tpu::Int8FeatureMap max_pool_codes(const tpu::Int8FeatureMap& codes, std::size_t kernel,
                                   std::size_t stride) {
  return pool_codes(codes, kernel, stride, [](const std::vector<std::int8_t>& window) {
    return *std::max_element(window.begin(), window.end());
  });
}

}  // namespace imcosim::nn
