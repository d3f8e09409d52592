#include "imcosim/nn/quantisation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "imcosim/tpu/tpu_model.hpp"

namespace imcosim::nn {

namespace {

// Symmetric int8 per output row (codes -127 ... 127, scale max|W_n| / 127) and int32 bias codes in
// units of input scale x weight scale: the weight rule convolutions and dense layers share.
void quantise_rows(const std::vector<float>& weight, const std::vector<float>& bias,
                   std::size_t window, double input_scale, std::vector<std::int8_t>& codes,
                   std::vector<double>& scales, std::vector<std::int32_t>& bias_codes) {
  const std::size_t rows = bias.size();
  codes.resize(rows * window);
  scales.resize(rows);
  bias_codes.resize(rows);
  for (std::size_t n = 0; n < rows; ++n) {
    double largest = 0.0;
    for (std::size_t k = 0; k < window; ++k) {
      largest = std::max(largest, std::abs(static_cast<double>(weight[n * window + k])));
    }
    // An all-zero row gets scale 1: its codes are 0 whatever the scale.
    const double scale = largest > 0.0 ? largest / 127.0 : 1.0;
    scales[n] = scale;
    for (std::size_t k = 0; k < window; ++k) {
      codes[n * window + k] = static_cast<std::int8_t>(
          round_clamped(static_cast<double>(weight[n * window + k]) / scale, -127.0, 127.0));
    }
    bias_codes[n] = static_cast<std::int32_t>(round_clamped(
        static_cast<double>(bias[n]) / (input_scale * scale), -2147483648.0, 2147483647.0));
  }
}

}  // namespace

QuantisedConv quantise_conv(const Conv2d<float>& conv, const ActivationRange& range) {
  const Layer<float>& layer = conv;
  QuantisedConv q;
  quantise_rows(layer.parameters()[0]->values, layer.parameters()[1]->values, conv.window(),
                range.input_scale, q.weight_codes, q.weight_scales, q.bias_codes);
  for (const double scale : q.weight_scales) {
    auto rule = tpu::Requantisation::from_scale(range.input_scale * scale / range.output_scale, 0);
    rule.clamp_low = range.clamp_low;
    rule.clamp_high = range.clamp_high;
    q.requantisation.push_back(rule);
  }
  return q;
}

QuantisedDense quantise_dense(const Dense<float>& dense, double input_scale) {
  const Layer<float>& layer = dense;
  QuantisedDense q;
  q.input_scale = input_scale;
  quantise_rows(layer.parameters()[0]->values, layer.parameters()[1]->values,
                dense.input_shape().size(), input_scale, q.weight_codes, q.weight_scales,
                q.bias_codes);
  return q;
}

float dense_pre_activation(const QuantisedDense& dense, std::size_t n, std::int64_t accumulator) {
  return static_cast<float>(static_cast<double>(accumulator + dense.bias_codes[n]) *
                            dense.input_scale * dense.weight_scales[n]);
}

float neuron_value(float pre_activation) { return 1.0F / (1.0F + std::exp(pre_activation)); }

std::int8_t neuron_code(float pre_activation) {
  return activation_code(neuron_value(pre_activation), neuron_code_scale);
}

tpu::ConvStage tpu_dense_stage(const QuantisedDense& quantised, std::size_t inputs,
                               const std::string& name) {
  const std::size_t outputs = quantised.bias_codes.size();
  tpu::ConvStage stage(name, tpu::FilterBank(outputs, 1, 1, inputs, quantised.weight_codes),
                       {1, 1, 0, 0}, tpu::Requantisation{});
  stage.bias = quantised.bias_codes;
  return stage;
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

// Pools every channel of every kernel x kernel window: combine(state, code) folds the window's
// codes into a state that starts at `initial`, finish(state) gives the output code.
template <typename State, typename Combine, typename Finish>
tpu::Int8FeatureMap pool_codes(const tpu::Int8FeatureMap& codes, std::size_t kernel,
                               std::size_t stride, State initial, Combine combine, Finish finish) {
  const std::size_t height = (codes.height() - kernel) / stride + 1;
  const std::size_t width = (codes.width() - kernel) / stride + 1;
  const std::size_t channels = codes.channels();
  const std::int8_t* input = codes.values().data();
  std::vector<std::int8_t> output(height * width * channels);
  std::vector<State> states(channels);
  for (std::size_t y = 0; y < height; ++y) {
    for (std::size_t x = 0; x < width; ++x) {
      std::fill(states.begin(), states.end(), initial);
      for (std::size_t ky = 0; ky < kernel; ++ky) {
        for (std::size_t kx = 0; kx < kernel; ++kx) {
          const std::int8_t* pixel =
              input + ((y * stride + ky) * codes.width() + x * stride + kx) * channels;
          for (std::size_t c = 0; c < channels; ++c) {
            states[c] = combine(states[c], pixel[c]);
          }
        }
      }
      std::int8_t* result = output.data() + (y * width + x) * channels;
      for (std::size_t c = 0; c < channels; ++c) {
        result[c] = finish(states[c]);
      }
    }
  }
  return {height, width, channels, std::move(output)};
}

}  // namespace

tpu::Int8FeatureMap average_pool_codes(const tpu::Int8FeatureMap& codes, std::size_t kernel,
                                       std::size_t stride) {
  const auto area = static_cast<std::int64_t>(kernel * kernel);
  return pool_codes(
      codes, kernel, stride, std::int64_t{0},
      [](std::int64_t sum, std::int8_t code) { return sum + code; },
      [area](std::int64_t sum) { return average_code(sum, area); });
}

tpu::Int8FeatureMap max_pool_codes(const tpu::Int8FeatureMap& codes, std::size_t kernel,
                                   std::size_t stride) {
  return pool_codes(
      codes, kernel, stride, std::numeric_limits<std::int8_t>::min(),
      [](std::int8_t best, std::int8_t code) { return std::max(best, code); },
      [](std::int8_t best) { return best; });
}

}  // namespace imcosim::nn
