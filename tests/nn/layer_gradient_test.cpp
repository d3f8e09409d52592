// Every layer's backward pass against central finite differences of its forward pass, in double
// precision: relative error <= 1e-6 on the input gradient and on every parameter's gradient.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>

#include "imcosim/device/random_stream.hpp"
#include "imcosim/nn/layers.hpp"
#include "imcosim/nn/loss.hpp"
#include "imcosim/nn/sequential.hpp"
#include "support/workload.hpp"

namespace imcosim::nn {
namespace {

constexpr double tolerance = 1e-6;
constexpr double step = 1e-6;

void fill_random(std::vector<double>& values, std::uint64_t seed, double low = -1.0,
                 double high = 1.0) {
  device::RandomStream stream(seed);
  for (auto& value : values) {
    value = stream.uniform(low, high);
  }
}

// L = sum(output * probe): a loss whose output gradient is the fixed random `probe`.
double probe_loss(const Layer<double>& layer, const Tensor<double>& input,
                  const Tensor<double>& probe, Phase phase) {
  Tensor<double> output;
  LayerCache<double> cache;
  layer.forward(input, output, cache, phase);
  double loss = 0.0;
  for (std::size_t i = 0; i < output.size(); ++i) {
    loss += output.values()[i] * probe.values()[i];
  }
  return loss;
}

// Largest |analytic - numeric| / max(|numeric|, 1e-3 scale) over the checked entries.
double relative_error(double analytic, double numeric, double scale) {
  return std::abs(analytic - numeric) / std::max(std::abs(numeric), scale);
}

void check_layer(Layer<double>& layer, std::size_t batch, std::uint64_t seed,
                 Phase phase = Phase::training, double input_low = -1.0) {
  Tensor<double> input(batch, layer.input_shape());
  fill_random(input.values(), seed, input_low);
  for (auto* parameter : layer.parameters()) {
    if (parameter->trainable) {
      fill_random(parameter->values, ++seed, 0.5, 1.5);
    }
  }
  Tensor<double> output;
  LayerCache<double> cache;
  layer.forward(input, output, cache, phase);
  Tensor<double> probe(batch, layer.output_shape());
  fill_random(probe.values(), seed + 100);
  std::vector<std::vector<double>> gradients;
  for (const auto* parameter : std::as_const(layer).parameters()) {
    gradients.emplace_back(parameter->values.size(), 0.0);
  }
  Tensor<double> input_gradient;
  layer.backward(probe, &input_gradient, cache, gradients);

  const double scale = 1e-3;
  double worst = 0.0;
  for (std::size_t i = 0; i < input.size(); ++i) {
    Tensor<double> plus = input;
    Tensor<double> minus = input;
    plus.values()[i] += step;
    minus.values()[i] -= step;
    const double numeric =
        (probe_loss(layer, plus, probe, phase) - probe_loss(layer, minus, probe, phase)) /
        (2 * step);
    worst = std::max(worst, relative_error(input_gradient.values()[i], numeric, scale));
  }
  EXPECT_LE(worst, tolerance) << layer.kind() << ": input gradient";
  auto parameters = layer.parameters();
  for (std::size_t p = 0; p < parameters.size(); ++p) {
    if (!parameters[p]->trainable) {
      continue;
    }
    double worst_parameter = 0.0;
    for (std::size_t i = 0; i < parameters[p]->values.size(); ++i) {
      const double saved = parameters[p]->values[i];
      parameters[p]->values[i] = saved + step;
      const double up = probe_loss(layer, input, probe, phase);
      parameters[p]->values[i] = saved - step;
      const double down = probe_loss(layer, input, probe, phase);
      parameters[p]->values[i] = saved;
      worst_parameter = std::max(worst_parameter,
                                 relative_error(gradients[p][i], (up - down) / (2 * step), scale));
    }
    EXPECT_LE(worst_parameter, tolerance) << layer.kind() << ": " << parameters[p]->name;
  }
}

TEST(LayerGradient, Conv2dWithPaddingAndStride) {
  Conv2d<double> layer(
      {7, 6, 3}, {.filters = 4, .kernel_height = 3, .kernel_width = 2, .stride = 2, .padding = 1});
  check_layer(layer, 2, 1);
}

TEST(LayerGradient, Conv2dGroupedAndDepthwise) {
  Conv2d<double> grouped(
      {5, 5, 4}, {.filters = 6, .kernel_height = 3, .kernel_width = 3, .padding = 1, .groups = 2});
  check_layer(grouped, 2, 2);
  Conv2d<double> depthwise({6, 6, 3}, {.filters = 3,
                                       .kernel_height = 3,
                                       .kernel_width = 3,
                                       .stride = 2,
                                       .padding = 1,
                                       .groups = 3});
  check_layer(depthwise, 3, 3);
}

TEST(LayerGradient, Dense) {
  Dense<double> layer({1, 1, 7}, 5);
  check_layer(layer, 3, 4);
}

TEST(LayerGradient, Pools) {
  // Random inputs have no ties, so the max is differentiable at the test point.
  Pool2d<double> max_pool({6, 6, 2}, PoolKind::max, 2, 2);
  check_layer(max_pool, 2, 5);
  Pool2d<double> overlapping({5, 5, 2}, PoolKind::max, 3, 1);
  check_layer(overlapping, 2, 6);
  Pool2d<double> average({6, 4, 3}, PoolKind::average, 2, 2);
  check_layer(average, 2, 7);
}

TEST(LayerGradient, Activations) {
  // Inputs away from the ReLU kinks at 0 and 6: uniform on [-1, 1] scaled to [-8, 8] would
  // cross 6; a random point hits a kink with probability 0.
  Activation<double> relu({3, 3, 2}, ActivationKind::relu);
  check_layer(relu, 2, 8);
  Activation<double> relu6({3, 3, 2}, ActivationKind::relu6);
  check_layer(relu6, 2, 9);
  Activation<double> sigmoid({1, 1, 9}, ActivationKind::imac_sigmoid);
  check_layer(sigmoid, 3, 10);
}

TEST(LayerGradient, BatchNormTrainingAndInference) {
  BatchNorm<double> layer({3, 3, 4});
  check_layer(layer, 3, 11);
  check_layer(layer, 3, 12, Phase::inference);
}

TEST(LayerGradient, Flatten) {
  Flatten<double> layer({2, 3, 2});
  check_layer(layer, 2, 13);
}

// The whole LeNet-5 with its loss: backward through every layer at once. Through ten layers the
// central difference itself carries ~1e-6 of round-off (a loss of ~2.3 differenced over 2e-6),
// so this check, unlike the per-layer ones, holds the gradients to 1e-5.
constexpr double end_to_end_tolerance = 1e-5;

TEST(LayerGradient, LeNetEndToEndWithLoss) {
  Sequential<double> model(reference_architecture("lenet5"));
  model.initialise(42);
  Tensor<double> input(2, model.architecture().input());
  fill_random(input.values(), 43, 0.0, 1.0);
  const std::int32_t labels[2] = {3, 7};
  const auto loss_of = [&](const Tensor<double>& x) {
    ForwardTrace<double> trace;
    model.forward(x, trace, Phase::training);
    Tensor<double> unused;
    return softmax_cross_entropy(trace.activations.back(), labels, 10.0, 1.0, unused).loss_sum;
  };
  ForwardTrace<double> trace;
  model.forward(input, trace, Phase::training);
  Tensor<double> output_gradient;
  softmax_cross_entropy(trace.activations.back(), labels, 10.0, 1.0, output_gradient);
  auto gradients = model.zero_gradients();
  Tensor<double> input_gradient;
  model.backward(output_gradient, trace, gradients, &input_gradient);
  double worst = 0.0;
  for (std::size_t i = 0; i < input.size(); i += testing::workload<std::size_t>(37, 197)) {
    Tensor<double> plus = input;
    Tensor<double> minus = input;
    plus.values()[i] += step;
    minus.values()[i] -= step;
    worst = std::max(worst, relative_error(input_gradient.values()[i],
                                           (loss_of(plus) - loss_of(minus)) / (2 * step), 1e-3));
  }
  EXPECT_LE(worst, end_to_end_tolerance);
  auto parameters = model.parameters();
  std::size_t flat = 0;
  for (std::size_t l = 0; l < model.size(); ++l) {
    for (std::size_t p = 0; p < gradients[l].size(); ++p, ++flat) {
      auto& values = parameters[flat]->values;
      for (std::size_t i = 0; i < values.size(); i += testing::workload<std::size_t>(53, 211)) {
        const double saved = values[i];
        values[i] = saved + step;
        const double up = loss_of(input);
        values[i] = saved - step;
        const double down = loss_of(input);
        values[i] = saved;
        EXPECT_LE(relative_error(gradients[l][p][i], (up - down) / (2 * step), 1e-3),
                  end_to_end_tolerance)
            << "layer " << l << " parameter " << p << " entry " << i;
      }
    }
  }
}

}  // namespace
}  // namespace imcosim::nn
