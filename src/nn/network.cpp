#include "imcosim/nn/network.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

#include "imcosim/nn/error.hpp"
#include "imcosim/nn/training.hpp"

namespace imcosim::nn {

namespace {

// Largest value of an activation code range of ReLU6 at this scale.
std::int32_t code_of_six(double scale) {
  return static_cast<std::int32_t>(std::min(127.0, std::round(6.0 / scale)));
}

// Sums of products of int8 codes are exact in float while |sum| <= depth x 128 x 127 < 2^24
// (every layer of the reference models), and in double beyond.
bool exact_in_float(std::size_t depth) {
  constexpr double exact_float_limit = 16777216.0;  // 2^24
  return static_cast<double>(depth) * 128.0 * 127.0 < exact_float_limit;
}

// Column-major accumulators of one image: Eigen's kernel then runs along the many pixels, not
// along the few filters (every order of an exact sum gives the same integer).
template <typename Scalar>
using Accumulators = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

// accumulators = lowered x weights^T, per channel group: each group's filters see its columns.
template <typename Scalar>
void grouped_product(const RowMatrix<Scalar>& lowered, const RowMatrix<Scalar>& weights,
                     Eigen::Index groups, Accumulators<Scalar>& accumulators) {
  const Eigen::Index group_filters = weights.rows() / groups;
  const Eigen::Index window = weights.cols();
  for (Eigen::Index g = 0; g < groups; ++g) {
    accumulators.middleCols(g * group_filters, group_filters).noalias() =
        lowered.middleCols(g * window, window) *
        weights.middleRows(g * group_filters, group_filters).transpose();
  }
}

// The trainer's value of each int8 code at a scale (code_values(scale)[code_index(code)]):
// float(scale x code), looked up rather than computed per activation.
std::size_t code_index(std::int8_t code) { return static_cast<std::size_t>(code + 128); }
std::array<float, 256> code_values(double scale) {
  std::array<float, 256> values{};
  for (int code = -128; code <= 127; ++code) {
    values[code_index(static_cast<std::int8_t>(code))] = static_cast<float>(scale * code);
  }
  return values;
}

}  // namespace

const char* precision_name(Precision precision) {
  switch (precision) {
    case Precision::float32:
      return "float";
    case Precision::int8:
      return "int8";
    case Precision::imac_ideal:
      return "imac-ideal";
  }
  return "unknown";
}

HybridNetwork::HybridNetwork(const Architecture& architecture) : model_(architecture) {}

HybridNetwork HybridNetwork::with_batch_norm_folded() const {
  const auto& layers = architecture().layers();
  std::vector<LayerSpec> kept;
  std::vector<std::size_t> origin;  // kept layer -> original index
  std::size_t split = architecture().split();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (layers[l].kind == "batchnorm") {
      if (l == 0 || layers[l - 1].kind != "conv2d" || l >= architecture().split()) {
        throw NnError("layer " + std::to_string(l) +
                      ": only a batch norm right after a convolution of the TPU part can be "
                      "folded for deployment");
      }
      split -= 1;
      continue;
    }
    kept.push_back(layers[l]);
    origin.push_back(l);
  }
  HybridNetwork folded(Architecture(architecture().name(), architecture().input(), kept, split,
                                    "folded " + architecture().name()));
  for (std::size_t k = 0; k < kept.size(); ++k) {
    auto target = folded.model_.layer(k).parameters();
    const auto source = model_.layer(origin[k]).parameters();
    for (std::size_t p = 0; p < target.size(); ++p) {
      target[p]->values = source[p]->values;
    }
    const std::size_t next = origin[k] + 1;
    if (kept[k].kind != "conv2d" || next >= layers.size() || layers[next].kind != "batchnorm") {
      continue;
    }
    const auto bn = model_.layer(next).parameters();  // gamma, beta, mean, variance
    auto& weight = target[0]->values;
    auto& bias = target[1]->values;
    const std::size_t window = target[0]->dims[1];
    for (std::size_t n = 0; n < bias.size(); ++n) {
      const double factor =
          static_cast<double>(bn[0]->values[n]) /
          std::sqrt(static_cast<double>(bn[3]->values[n]) + BatchNorm<float>::epsilon);
      for (std::size_t i = 0; i < window; ++i) {
        weight[n * window + i] =
            static_cast<float>(static_cast<double>(weight[n * window + i]) * factor);
      }
      bias[n] = static_cast<float>(static_cast<double>(bias[n] - bn[2]->values[n]) * factor +
                                   static_cast<double>(bn[1]->values[n]));
    }
  }
  folded.precision_ = precision_;
  return folded;
}

double HybridNetwork::input_scale(std::size_t layer) const {
  double scale = 1.0 / 127.0;  // the first convolution sees pixels / 255 in 0..1
  for (std::size_t l = 0; l < layer; ++l) {
    if (architecture().layers()[l].kind == "conv2d") {
      scale = ranges_[l].output_scale;
    }
  }
  return scale;
}

double HybridNetwork::split_scale() const { return input_scale(architecture().split()); }

HybridNetwork HybridNetwork::as_float() const {
  HybridNetwork copy = *this;
  copy.precision_ = Precision::float32;
  copy.circuit_.reset();
  return copy;
}

void HybridNetwork::set_ranges(std::vector<ActivationRange> ranges) {
  if (precision_ == Precision::imac_ideal) {
    throw NnError("set the int8 ranges before attaching the IMAC circuit");
  }
  if (ranges.size() != model_.size()) {
    throw NnError("int8 ranges for " + std::to_string(ranges.size()) + " layers, the model has " +
                  std::to_string(model_.size()));
  }
  ranges_ = std::move(ranges);
  precision_ = Precision::int8;
}

void HybridNetwork::quantise(const ImageDataset& data, std::size_t images) {
  const auto& layers = architecture().layers();
  const std::size_t split = architecture().split();
  for (std::size_t l = 0; l < split; ++l) {
    if (layers[l].kind == "batchnorm") {
      throw NnError("fold the batch norms before quantising (with_batch_norm_folded)");
    }
  }
  images = std::min(images, data.size());
  if (images == 0) {
    throw NnError("int8 calibration needs at least one image");
  }
  precision_ = Precision::float32;
  auto order = in_order(images);
  HybridNetwork::Trace trace;
  forward(make_batch(data, order, 0, images, TrainingSettings{}, 0), trace, Phase::inference);
  std::vector<ActivationRange> ranges(layers.size());
  double scale = 1.0 / 127.0;
  for (std::size_t l = 0; l < split; ++l) {
    if (layers[l].kind != "conv2d") {
      continue;
    }
    // The range after the convolution's activation, when one follows.
    const bool activated =
        l + 1 < split && (layers[l + 1].kind == "relu" || layers[l + 1].kind == "relu6");
    const auto& values = trace.layers.activations[activated ? l + 2 : l + 1].values();
    double largest = 0.0;
    for (const float v : values) {
      largest = std::max(largest, std::abs(static_cast<double>(v)));
    }
    if (largest == 0.0) {
      largest = 1.0;
    }
    ActivationRange range;
    range.input_scale = scale;
    range.output_scale = largest / 127.0;
    if (activated) {
      range.clamp_low = 0;
      range.clamp_high = layers[l + 1].kind == "relu6" ? code_of_six(range.output_scale) : 127;
    }
    ranges[l] = range;
    scale = range.output_scale;
  }
  set_ranges(std::move(ranges));
}

void HybridNetwork::forward_int8_conv(std::size_t layer, const Tensor<float>& input,
                                      Tensor<float>& output, LayerCache<float>& cache,
                                      Phase phase) const {
  const auto& conv = dynamic_cast<const Conv2d<float>&>(model_.layer(layer));
  const ActivationRange& range = ranges_[layer];
  const QuantisedConv q = quantise_conv(conv, range);
  const std::size_t batch = input.batch();
  const auto pixels = static_cast<Eigen::Index>(conv.output_shape().pixels());
  const auto filters = static_cast<Eigen::Index>(conv.spec().filters);
  const auto window = static_cast<Eigen::Index>(conv.window());
  const auto groups = static_cast<Eigen::Index>(conv.spec().groups);
  output.resize_for_overwrite(batch, conv.output_shape());
  auto out = output.pixel_rows();
  const auto values = code_values(range.output_scale);
  if (phase == Phase::inference && groups == 1) {
    // Inference needs no float copy of the lowered codes for backward: the codes go through
    // the TPU's exact int8 convolution and output stage (bit-identical to the float emulation
    // below, which training runs; tests/nn/int8_test.cpp compares the two).
    const tpu::ConvStage stage = tpu_stage(conv, q, "conv");
    const Shape& in = conv.input_shape();
    for (std::size_t n = 0; n < batch; ++n) {
      const float* x = input.sample(n);
      std::vector<std::int8_t> codes(in.size());
      for (std::size_t i = 0; i < codes.size(); ++i) {
        codes[i] = activation_code(x[i], range.input_scale);
      }
      const auto result = tpu::requantise_stage(
          tpu::convolve_int8({in.height, in.width, in.channels, std::move(codes)}, stage.filters,
                             stage.geometry),
          stage);
      float* y = output.sample(n);
      for (std::size_t i = 0; i < result.values().size(); ++i) {
        y[i] = values[code_index(result.values()[i])];
      }
    }
    return;
  }
  if (phase == Phase::training) {
    cache.lowered.resize(static_cast<Eigen::Index>(batch) * pixels, window * groups);
  }
  // Image by image, so that its codes, their im2col and the accumulators stay in cache.
  const auto run = [&]<typename Scalar>(std::type_identity<Scalar>) {
    const RowMatrix<Scalar> weights =
        Eigen::Map<const RowMatrix<std::int8_t>>(q.weight_codes.data(), filters, window)
            .template cast<Scalar>();
    std::vector<float> codes(conv.input_shape().size());
    RowMatrix<float> lowered;
    Accumulators<Scalar> accumulators(pixels, filters);
    std::vector<std::int32_t> accumulators_int32(static_cast<std::size_t>(pixels * filters));
    std::vector<std::int8_t> output_codes(accumulators_int32.size());
    for (std::size_t n = 0; n < batch; ++n) {
      // 1. Input codes (the previous layer left values on its code grid, so this is exact),
      // lowered.
      const float* x = input.sample(n);
      for (std::size_t i = 0; i < codes.size(); ++i) {
        codes[i] = static_cast<float>(activation_code(x[i], range.input_scale));
      }
      conv.lower(codes.data(), 1, lowered);
      // 2. int32 accumulators, per group as the TPU's stages.
      if constexpr (std::is_same_v<Scalar, float>) {
        grouped_product(lowered, weights, groups, accumulators);
      } else {
        grouped_product(RowMatrix<Scalar>(lowered.cast<Scalar>()), weights, groups, accumulators);
      }
      // 3. Bias and requantisation with the TPU's own output stage (the accumulators are exact
      // integers, so the conversion to int32 is exact).
      for (Eigen::Index r = 0; r < pixels; ++r) {
        for (Eigen::Index f = 0; f < filters; ++f) {
          accumulators_int32[static_cast<std::size_t>(r * filters + f)] =
              static_cast<std::int32_t>(accumulators(r, f));
        }
      }
      tpu::requantise_channels(accumulators_int32.data(), static_cast<std::size_t>(pixels),
                               static_cast<std::size_t>(filters), q.bias_codes.data(),
                               q.requantisation.data(), output_codes.data());
      const Eigen::Index first = static_cast<Eigen::Index>(n) * pixels;
      for (Eigen::Index r = 0; r < pixels; ++r) {
        for (Eigen::Index f = 0; f < filters; ++f) {
          out(first + r, f) =
              values[code_index(output_codes[static_cast<std::size_t>(r * filters + f)])];
        }
      }
      // Backward sees the dequantised input (straight-through estimator).
      if (phase == Phase::training) {
        cache.lowered.middleRows(first, pixels) = lowered * static_cast<float>(range.input_scale);
      }
    }
  };
  if (exact_in_float(conv.window())) {
    run(std::type_identity<float>{});
  } else {
    run(std::type_identity<double>{});
  }
}

void HybridNetwork::forward_int8_dense(std::size_t layer, const Tensor<float>& input,
                                       Tensor<float>& output, LayerCache<float>& cache,
                                       Phase phase) const {
  const auto& dense = dynamic_cast<const Dense<float>&>(model_.layer(layer));
  const QuantisedDense q =
      quantise_dense(dense, layer == architecture().split() ? split_scale() : neuron_code_scale);
  if (phase == Phase::training) {
    dense.forward(input, output, cache, phase);  // backward's cache: straight through
  } else {
    output.resize_for_overwrite(input.batch(), dense.output_shape());
  }
  // Integer sums of int8 products.
  const auto inputs = static_cast<Eigen::Index>(dense.input_shape().size());
  const auto outputs = static_cast<Eigen::Index>(q.bias_codes.size());
  const auto rows = input.sample_rows();
  auto out = output.sample_rows();
  const auto accumulate = [&]<typename Scalar>(std::type_identity<Scalar>) {
    RowMatrix<Scalar> codes(rows.rows(), inputs);
    for (Eigen::Index k = 0; k < codes.rows(); ++k) {
      for (Eigen::Index i = 0; i < inputs; ++i) {
        codes(k, i) = activation_code(rows(k, i), q.input_scale);
      }
    }
    const RowMatrix<Scalar> weights =
        Eigen::Map<const RowMatrix<std::int8_t>>(q.weight_codes.data(), outputs, inputs)
            .template cast<Scalar>();
    const RowMatrix<Scalar> accumulators = codes * weights.transpose();
    for (Eigen::Index k = 0; k < codes.rows(); ++k) {
      for (Eigen::Index n = 0; n < outputs; ++n) {
        out(k, n) = dense_pre_activation(q, static_cast<std::size_t>(n),
                                         static_cast<std::int64_t>(accumulators(k, n)));
      }
    }
  };
  if (exact_in_float(dense.input_shape().size())) {
    accumulate(std::type_identity<float>{});
  } else {
    accumulate(std::type_identity<double>{});
  }
}

void HybridNetwork::forward_int8_neuron(std::size_t layer, const Tensor<float>& input,
                                        Tensor<float>& output, LayerCache<float>& cache,
                                        Phase phase) const {
  if (phase == Phase::training) {
    model_.layer(layer).forward(input, output, cache, phase);  // backward's cache
  } else {
    output.resize_for_overwrite(input.batch(), input.shape());
  }
  // Hidden neurons leave as codes (the next GEMM's int8 input), the last as class scores.
  const bool last = layer + 1 == model_.size();
  for (std::size_t i = 0; i < input.size(); ++i) {
    const float pre_activation = input.values()[i];
    output.values()[i] = last ? neuron_value(pre_activation)
                              : static_cast<float>(neuron_code(pre_activation) * neuron_code_scale);
  }
}

void HybridNetwork::forward_int8_average_pool(std::size_t layer, const Tensor<float>& input,
                                              Tensor<float>& output,
                                              LayerCache<float>& cache) const {
  const auto& pool = dynamic_cast<const Pool2d<float>&>(model_.layer(layer));
  pool.forward(input, output, cache, Phase::training);
  const double scale = input_scale(layer);
  const Shape& in = pool.input_shape();
  const Shape out = pool.output_shape();
  for (std::size_t n = 0; n < input.batch(); ++n) {
    const float* x = input.sample(n);
    float* y = output.sample(n);
    for (std::size_t oy = 0; oy < out.height; ++oy) {
      for (std::size_t ox = 0; ox < out.width; ++ox) {
        for (std::size_t c = 0; c < out.channels; ++c) {
          std::int64_t sum = 0;
          for (std::size_t ky = 0; ky < pool.kernel(); ++ky) {
            for (std::size_t kx = 0; kx < pool.kernel(); ++kx) {
              sum += activation_code(
                  x[((oy * pool.stride() + ky) * in.width + ox * pool.stride() + kx) * in.channels +
                    c],
                  scale);
            }
          }
          y[(oy * out.width + ox) * out.channels + c] = static_cast<float>(
              scale * average_code(sum, static_cast<std::int64_t>(pool.kernel() * pool.kernel())));
        }
      }
    }
  }
}

void HybridNetwork::forward(const Tensor<float>& input, Trace& trace, Phase phase) const {
  if (precision_ == Precision::float32) {
    model_.forward(input, trace.layers, phase);
    return;
  }
  forward_quantised(input, trace, phase);
}

void HybridNetwork::forward_quantised(const Tensor<float>& input, Trace& trace, Phase phase) const {
  if (input.shape() != architecture().input()) {
    throw NnError("the model takes " + shape_text(architecture().input()) + " inputs, got " +
                  shape_text(input.shape()));
  }
  const std::size_t count = model_.size();
  const std::size_t split = architecture().split();
  const bool imac = precision_ == Precision::imac_ideal;
  trace.layers.activations.resize(count + 1);
  trace.layers.caches.resize(count);
  trace.pass.assign(count, {});
  trace.layers.activations[0] = input;
  for (std::size_t l = 0; l < (imac ? split : count); ++l) {
    const auto& kind = architecture().layers()[l].kind;
    auto& in = trace.layers.activations[l];
    auto& out = trace.layers.activations[l + 1];
    auto& cache = trace.layers.caches[l];
    if (l < split && kind == "conv2d") {
      forward_int8_conv(l, in, out, cache, phase);
      if (phase == Phase::inference) {
        continue;  // the straight-through mask is for backward only
      }
      const ActivationRange& range = ranges_[l];
      auto& pass = trace.pass[l];
      pass.resize(out.size());
      for (std::size_t i = 0; i < out.size(); ++i) {
        const std::int64_t code =
            round_clamped(static_cast<double>(out.values()[i]) / range.output_scale, -128.0, 127.0);
        pass[i] = code > range.clamp_low && code < range.clamp_high ? 1 : 0;
      }
    } else if (l < split && kind == "avgpool") {
      forward_int8_average_pool(l, in, out, cache);
    } else if (l >= split && kind == "dense") {
      forward_int8_dense(l, in, out, cache, phase);
    } else if (l >= split && kind == "imac_sigmoid") {
      forward_int8_neuron(l, in, out, cache, phase);
    } else {
      model_.layer(l).forward(in, out, cache, phase);
    }
  }
  if (!imac) {
    return;
  }
  // The DAC, then the circuit.
  const auto& at_split = trace.layers.activations[split];
  const double volts_per_unit = dac_.full_scale_volt / (127.0 * split_scale());
  const Eigen::MatrixXd inputs_volt = at_split.sample_rows().cast<double>() * volts_per_unit;
  const Eigen::MatrixXd outputs_volt =
      circuit_->forward(quantised_imac_layers(), inputs_volt, trace.imac);
  auto& output = trace.layers.activations[count];
  output.resize(input.batch(), {1, 1, static_cast<std::size_t>(outputs_volt.cols())});
  output.sample_rows() = outputs_volt.cast<float>();
}

void HybridNetwork::backward(const Tensor<float>& output_gradient, const Trace& trace,
                             Gradients& gradients) const {
  if (precision_ == Precision::float32) {
    model_.backward(output_gradient, trace.layers, gradients, nullptr);
    return;
  }
  if (precision_ == Precision::int8) {
    backward_layers(output_gradient, trace, gradients, model_.size());
    return;
  }
  // The circuit's gradients go straight through the weight quantisation to the latent weights.
  const std::size_t split = architecture().split();
  const ImacGradients circuit_gradients =
      circuit_->backward(trace.imac, output_gradient.sample_rows().cast<double>());
  for (std::size_t k = 0; k < circuit_gradients.d_layers.size(); ++k) {
    auto& dense = gradients[split + 2 * k];
    const auto& d = circuit_gradients.d_layers[k];
    for (Eigen::Index r = 0; r < d.weight.rows(); ++r) {
      for (Eigen::Index c = 0; c < d.weight.cols(); ++c) {
        dense[0][static_cast<std::size_t>(r * d.weight.cols() + c)] +=
            static_cast<float>(d.weight(r, c));
      }
      dense[1][static_cast<std::size_t>(r)] += static_cast<float>(d.bias(r));
    }
  }
  Tensor<float> gradient(output_gradient.batch(), architecture().shapes()[split]);
  const double volts_per_unit = dac_.full_scale_volt / (127.0 * split_scale());
  gradient.sample_rows() = (circuit_gradients.d_inputs * volts_per_unit).cast<float>();
  backward_layers(std::move(gradient), trace, gradients, split);
}

void HybridNetwork::backward_layers(Tensor<float> gradient, const Trace& trace,
                                    Gradients& gradients, std::size_t last) const {
  Tensor<float> next;
  for (std::size_t l = last; l-- > 0;) {
    if (!trace.pass[l].empty()) {
      // Straight through the rounding, but not through the clamp (the fused activation).
      for (std::size_t i = 0; i < gradient.size(); ++i) {
        gradient.values()[i] *= static_cast<float>(trace.pass[l][i]);
      }
    }
    model_.layer(l).backward(gradient, l > 0 ? &next : nullptr, trace.layers.caches[l],
                             gradients[l]);
    if (l > 0) {
      std::swap(gradient, next);
    }
  }
}

std::vector<imac::DenseLayer> HybridNetwork::quantised_imac_layers() const {
  const bool binary = circuit_->encoding() == imac::WeightEncoding::binary;
  std::vector<imac::DenseLayer> layers;
  for (std::size_t l = architecture().split(); l < model_.size(); l += 2) {
    const auto parameters = model_.layer(l).parameters();
    const auto& w = parameters[0]->values;
    const auto& b = parameters[1]->values;
    const auto rows = static_cast<Eigen::Index>(parameters[0]->dims[0]);
    const auto cols = static_cast<Eigen::Index>(parameters[0]->dims[1]);
    double mean_magnitude = 0.0;
    for (const float v : w) {
      mean_magnitude += std::abs(static_cast<double>(v));
    }
    const double threshold = binary ? 0.0 : 0.7 * mean_magnitude / static_cast<double>(w.size());
    const auto level = [&](float v) {
      const auto value = static_cast<double>(v);
      if (binary) {
        return value < 0.0 ? -1.0 : 1.0;
      }
      return std::abs(value) > threshold ? (value < 0.0 ? -1.0 : 1.0) : 0.0;
    };
    imac::DenseLayer layer{Eigen::MatrixXd(rows, cols), Eigen::VectorXd(rows)};
    for (Eigen::Index r = 0; r < rows; ++r) {
      for (Eigen::Index c = 0; c < cols; ++c) {
        layer.weight(r, c) = level(w[static_cast<std::size_t>(r * cols + c)]);
      }
      layer.bias(r) = level(b[static_cast<std::size_t>(r)]);
    }
    layers.push_back(std::move(layer));
  }
  return layers;
}

imac::ImacModel HybridNetwork::imac_model() const {
  if (circuit_ == nullptr) {
    throw NnError("the FC part is quantised for the circuit it runs on: attach_imac first");
  }
  return {quantised_imac_layers(), circuit_->encoding(), 0,
          "the FC part of " + architecture().name()};
}

void HybridNetwork::attach_imac(std::shared_ptr<const ImacCircuit> circuit, DacParameters dac) {
  if (precision_ == Precision::float32) {
    throw NnError("the IMAC part needs the int8 TPU part: quantise the network first");
  }
  if (circuit->encoding() == imac::WeightEncoding::k_level) {
    throw NnError("IMAC training supports binary and ternary weights");
  }
  const auto sizes = architecture().imac_sizes();
  const auto& circuit_sizes = circuit->layer_sizes();
  if (sizes.size() != circuit_sizes.size() ||
      !std::equal(
          sizes.begin(), sizes.end(), circuit_sizes.begin(),
          [](std::size_t a, Eigen::Index b) { return static_cast<Eigen::Index>(a) == b; })) {
    throw NnError("the IMAC circuit's layer sizes do not match the model's FC part");
  }
  if (!(dac.full_scale_volt > 0.0) || !std::isfinite(dac.full_scale_volt)) {
    throw NnError("the DAC full scale must be a finite voltage > 0");
  }
  circuit_ = std::move(circuit);
  dac_ = dac;
  precision_ = Precision::imac_ideal;
}

Eigen::MatrixXd HybridNetwork::dac_volts(const std::vector<tpu::Int8FeatureMap>& codes) const {
  const auto inputs =
      static_cast<Eigen::Index>(architecture().shapes()[architecture().split()].size());
  Eigen::MatrixXd volts(static_cast<Eigen::Index>(codes.size()), inputs);
  for (std::size_t k = 0; k < codes.size(); ++k) {
    for (Eigen::Index i = 0; i < inputs; ++i) {
      volts(static_cast<Eigen::Index>(k), i) =
          codes[k].values()[static_cast<std::size_t>(i)] * dac_.full_scale_volt / 127.0;
    }
  }
  return volts;
}

void HybridNetwork::update_running_statistics(const Trace& trace) {
  for (std::size_t l = 0; l < model_.size(); ++l) {
    model_.layer(l).update_running_statistics(trace.layers.caches[l]);
  }
}

std::vector<tpu::ConvStage> HybridNetwork::tpu_stages() const {
  std::vector<tpu::ConvStage> stages;
  for (std::size_t l = 0; l < architecture().split(); ++l) {
    if (architecture().layers()[l].kind == "conv2d") {
      const auto& conv = dynamic_cast<const Conv2d<float>&>(model_.layer(l));
      stages.push_back(
          tpu_stage(conv, quantise_conv(conv, ranges_[l]), "Conv" + std::to_string(l)));
    }
  }
  return stages;
}

tpu::Int8FeatureMap HybridNetwork::input_codes(const std::uint8_t* image) const {
  const Shape& shape = architecture().input();
  tpu::Int8FeatureMap codes(shape.height, shape.width, shape.channels);
  for (std::size_t y = 0; y < shape.height; ++y) {
    for (std::size_t x = 0; x < shape.width; ++x) {
      for (std::size_t c = 0; c < shape.channels; ++c) {
        // The same float the trainer feeds in (pixel / 255), then its code at scale 1/127.
        const float value =
            static_cast<float>(image[(y * shape.width + x) * shape.channels + c]) / 255.0F;
        codes(y, x, c) = activation_code(value, 1.0 / 127.0);
      }
    }
  }
  return codes;
}

TpuProgram HybridNetwork::tpu_program() const {
  if (precision_ == Precision::float32) {
    throw NnError("the TPU runs int8: quantise the network first");
  }
  TpuProgram program;
  program.conv_stages = tpu_stages();
  const std::size_t split = architecture().split();
  for (std::size_t l = split; l < model_.size(); ++l) {
    if (architecture().layers()[l].kind != "dense") {
      continue;
    }
    const auto& dense = dynamic_cast<const Dense<float>&>(model_.layer(l));
    program.dense_layers.push_back(
        quantise_dense(dense, l == split ? split_scale() : neuron_code_scale));
    program.dense_stages.push_back(
        tpu_dense_stage(program.dense_layers.back(), dense.input_shape().size(),
                        "FC" + std::to_string(program.dense_stages.size() + 1)));
  }
  return program;
}

std::vector<float> HybridNetwork::run_fc_on_tpu(const tpu::TpuModel& tpu, const TpuProgram& program,
                                                const tpu::Int8FeatureMap& split_codes,
                                                tpu::ExecutionMode mode) const {
  tpu::Int8FeatureMap codes = split_codes;
  std::vector<float> scores;
  for (std::size_t d = 0; d < program.dense_stages.size(); ++d) {
    const auto accumulators = tpu.run_conv(codes, program.dense_stages[d], mode).accumulators;
    const std::size_t outputs = accumulators.channels();
    const bool last = d + 1 == program.dense_stages.size();
    tpu::Int8FeatureMap next(1, 1, outputs);
    scores.resize(last ? outputs : 0);
    for (std::size_t n = 0; n < outputs; ++n) {
      const float pre_activation =
          dense_pre_activation(program.dense_layers[d], n, accumulators(0, 0, n));
      if (last) {
        scores[n] = neuron_value(pre_activation);
      } else {
        next(0, 0, n) = neuron_code(pre_activation);
      }
    }
    codes = std::move(next);
  }
  return scores;
}

tpu::Int8FeatureMap HybridNetwork::run_tpu_part(const tpu::TpuModel& tpu,
                                                const tpu::Int8FeatureMap& input,
                                                tpu::ExecutionMode mode) const {
  if (precision_ == Precision::float32) {
    throw NnError("the TPU part runs in int8: quantise the network first");
  }
  TpuProgram program;
  program.conv_stages = tpu_stages();
  return run_tpu_part(tpu, program, input, mode);
}

tpu::Int8FeatureMap HybridNetwork::run_tpu_part(const tpu::TpuModel& tpu, const TpuProgram& program,
                                                const tpu::Int8FeatureMap& input,
                                                tpu::ExecutionMode mode) const {
  const auto& stages = program.conv_stages;
  std::size_t stage = 0;
  tpu::Int8FeatureMap codes = input;
  for (std::size_t l = 0; l < architecture().split(); ++l) {
    const auto& spec = architecture().layers()[l];
    if (spec.kind == "conv2d") {
      codes = tpu.run_conv(codes, stages[stage++], mode).activations;
    } else if (spec.kind == "maxpool") {
      codes = max_pool_codes(codes, spec.kernel, spec.stride);
    } else if (spec.kind == "avgpool") {
      codes = average_pool_codes(codes, spec.kernel, spec.stride);
    } else if (spec.kind == "flatten") {
      codes = tpu::Int8FeatureMap(1, 1, codes.values().size(), codes.values());
    }
    // ReLU and ReLU6 are fused into the preceding convolution's clamp.
  }
  return codes;
}

}  // namespace imcosim::nn
