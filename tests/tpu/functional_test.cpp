// Fast path, cycle-level path and a plain reference convolution agree bit for bit.
#include "imcosim/tpu/functional.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/tpu_model.hpp"
#include "tpu_test_support.hpp"

namespace imcosim::tpu {
namespace {

Int8FeatureMap random_map(std::size_t h, std::size_t w, std::size_t c, std::uint32_t seed) {
  return {h, w, c, testing::random_int8(h * w * c, seed)};
}

FilterBank random_filters(std::size_t n, std::size_t h, std::size_t w, std::size_t c,
                          std::uint32_t seed) {
  return {n, h, w, c, testing::random_int8(n * h * w * c, seed)};
}

struct ConvCase {
  std::size_t height, width, channels, filters, filter_h, filter_w;
  ConvGeometry geometry;
};

const std::vector<ConvCase> conv_cases = {
    {8, 8, 3, 4, 3, 3, {1, 1, 0, 0}},   {9, 7, 2, 5, 3, 2, {2, 2, 1, 1}},
    {10, 10, 1, 3, 5, 5, {3, 2, 2, 0}}, {6, 11, 4, 2, 1, 3, {1, 3, 0, 2}},
    {5, 5, 2, 6, 5, 5, {1, 1, 0, 0}},   {7, 8, 3, 3, 4, 4, {2, 3, 1, 2}}};

// Runs `check` with the vector kernels the processor allows and again with the portable ones.
template <typename Check>
void with_every_kernel(Check check) {
  for (const bool vector : {true, false}) {
    SCOPED_TRACE(vector ? "vector kernels" : "portable kernels");
    use_vector_kernels(vector);
    check();
  }
  use_vector_kernels(true);
}

TEST(Functional, FastConvolutionMatchesReference) {
  with_every_kernel([] {
    std::uint32_t seed = 100;
    for (const auto& test : conv_cases) {
      const auto input = random_map(test.height, test.width, test.channels, ++seed);
      const auto filters =
          random_filters(test.filters, test.filter_h, test.filter_w, test.channels, ++seed);
      EXPECT_EQ(convolve_int8(input, filters, test.geometry),
                testing::reference_conv(input, filters, test.geometry))
          << "case with input " << test.height << "x" << test.width;
    }
  });
}

TEST(Functional, LargeGemmUsesThreadsAndStaysExact) {
  const auto a = testing::random_matrix(200, 96, 7);
  const auto b = testing::random_matrix(96, 150, 8);
  Int8Matrix b_transposed(150, 96);
  for (std::size_t k = 0; k < 96; ++k) {
    for (std::size_t n = 0; n < 150; ++n) {
      b_transposed(n, k) = b(k, n);
    }
  }
  with_every_kernel(
      [&] { EXPECT_EQ(multiply_int8(a, b_transposed), testing::reference_gemm(a, b)); });
}

TEST(Functional, MinusOneTwentyEightWithPadding) {
  const Int8FeatureMap input(5, 5, 3, std::vector<std::int8_t>(75, -128));
  const FilterBank filters(2, 3, 3, 3, std::vector<std::int8_t>(54, -128));
  const ConvGeometry geometry{2, 2, 1, 1};
  const auto output = convolve_int8(input, filters, geometry);
  EXPECT_EQ(output, testing::reference_conv(input, filters, geometry));
  EXPECT_EQ(output(0, 0, 0), 4 * 3 * 16384);  // corner window: 2 x 2 inside the padding
  EXPECT_EQ(output(1, 1, 1), 9 * 3 * 16384);
}

TEST(Functional, CycleLevelNetworkEqualsFastNetworkForEveryDataflow) {
  const auto input = random_map(9, 9, 2, 21);
  const std::vector<ConvStage> stages = {{"conv1",
                                          random_filters(4, 3, 3, 2, 22),
                                          {1, 1, 1, 1},
                                          Requantisation::from_scale(1.0 / 64, 0)},
                                         {"conv2",
                                          random_filters(3, 3, 2, 4, 23),
                                          {2, 1, 0, 1},
                                          Requantisation::from_scale(0.01, -3)}};
  for (const auto kind : {DataflowKind::output_stationary, DataflowKind::weight_stationary,
                          DataflowKind::input_stationary}) {
    const TpuModel model({4, 3}, kind);
    const auto fast = model.run_network(input, stages, ExecutionMode::fast);
    const auto cycle = model.run_network(input, stages, ExecutionMode::cycle_level);
    ASSERT_EQ(fast.size(), 2U);
    EXPECT_EQ(fast[0].accumulators,
              testing::reference_conv(input, stages[0].filters, stages[0].geometry));
    EXPECT_EQ(fast[1].accumulators,
              testing::reference_conv(fast[0].activations, stages[1].filters, stages[1].geometry));
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(cycle[i].accumulators, fast[i].accumulators) << dataflow_code(kind) << i;
      EXPECT_EQ(cycle[i].activations, fast[i].activations);
      EXPECT_EQ(cycle[i].simulated_busy_cycles, cycle[i].timing.busy_cycles);
      EXPECT_EQ(static_cast<std::size_t>(cycle[i].layer.ofmap_height()),
                fast[i].accumulators.height());
      EXPECT_EQ(static_cast<std::size_t>(cycle[i].layer.ofmap_width()),
                fast[i].accumulators.width());
    }
  }
}

TEST(Functional, BatchEqualsImageByImage) {
  const std::vector<ConvStage> stages = {
      {"c1", random_filters(6, 5, 5, 1, 31), {}, Requantisation::from_scale(1.0 / 256, 1)},
      {"c2", random_filters(4, 3, 3, 6, 32), {2, 2, 1, 1}, Requantisation::from_scale(0.02, 0)}};
  std::vector<Int8FeatureMap> images;
  for (std::uint32_t i = 0; i < 40; ++i) {
    images.push_back(random_map(16, 16, 1, 1000 + i));
  }
  const TpuModel model({8, 8}, DataflowKind::weight_stationary);
  const auto batch = model.run_batch(images, stages);
  ASSERT_EQ(batch.size(), images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(batch[i],
              model.run_network(images[i], stages, ExecutionMode::fast).back().activations);
  }
}

TEST(Functional, ConvLayerForTrimsUnreachedInputAndIncludesPadding) {
  const ConvStage stage{"s", random_filters(2, 3, 3, 1, 5), {2, 2, 1, 0}, {}};
  const auto layer = conv_layer_for(random_map(8, 8, 1, 6), stage);
  // Padded input 10 x 8; floor((10 - 3) / 2) + 1 = 4 rows and floor(5 / 2) + 1 = 3 columns.
  EXPECT_EQ(layer.ofmap_height(), 4);
  EXPECT_EQ(layer.ofmap_width(), 3);
  EXPECT_EQ(layer.ifmap_height, 9);
  EXPECT_EQ(layer.ifmap_width, 7);
}

TEST(Functional, ModelRejectsChannelMismatchEvenInsideTheBatch) {
  const TpuModel model({4, 4}, DataflowKind::output_stationary);
  const std::vector<ConvStage> stages = {{"wrong", random_filters(2, 3, 3, 3, 9), {}, {}}};
  const auto input = random_map(6, 6, 1, 10);
  EXPECT_THROW((void)model.run_conv(input, stages[0], ExecutionMode::fast), TpuError);
  EXPECT_THROW((void)model.run_batch(std::vector<Int8FeatureMap>(64, input), stages), TpuError);
}

TEST(Requantisation, RoundsHalfAwayFromZeroAndSaturates) {
  const auto half = Requantisation::from_scale(0.5, 0);
  EXPECT_EQ(requantise(3, half), 2);
  EXPECT_EQ(requantise(-3, half), -2);
  EXPECT_EQ(requantise(2, half), 1);
  EXPECT_EQ(requantise(1000, half), 127);
  EXPECT_EQ(requantise(-1000, half), -128);
  EXPECT_EQ(requantise(-2147483647 - 1, half), -128);
  const auto offset = Requantisation::from_scale(1.0, 10);
  EXPECT_EQ(requantise(-138, offset), -128);
  EXPECT_EQ(requantise(-139, offset), -128);
  EXPECT_EQ(requantise(117, offset), 127);
  EXPECT_EQ(requantise(5, Requantisation{3, 2, 0, -128, 127}), 4);  // 15 / 4 = 3.75
  EXPECT_THROW((void)Requantisation::from_scale(0.0, 0), TpuError);
  EXPECT_THROW(validate_requantisation(Requantisation{0, 0, 0, -128, 127}), TpuError);
}

// The vectorised output stage against the scalar rule, element by element, for channel counts
// below, at and beyond one register of four (a repeating channel pattern and a scalar tail):
// rules from shift 0 to 62, biases that saturate the int32 sum, accumulators at both ends of
// int32 and exact ties.
TEST(Requantisation, ChannelStageEqualsTheScalarRule) {
  const std::vector<Requantisation> rule_set = {{1, 0, 0, -128, 127},
                                                {1073741823, 30, 3, -128, 127},
                                                {2147483647, 62, -5, -128, 127},
                                                {3, 2, 0, 0, 127},
                                                {1518500250, 37, 10, -20, 100},
                                                {7, 1, -128, -128, 127},
                                                {2147483647, 31, 127, -128, 127}};
  const std::vector<std::int32_t> bias_set = {0, 2147483647, -2147483647 - 1, 5, -100000, 1, 0};
  const auto noise = testing::random_int8(2000, 77);
  for (const std::size_t channels : {1U, 2U, 3U, 4U, 6U, 7U, 16U}) {
    std::vector<Requantisation> rules;
    std::vector<std::int32_t> bias;
    for (std::size_t c = 0; c < channels; ++c) {
      rules.push_back(rule_set[c % rule_set.size()]);
      bias.push_back(bias_set[(c * 3) % bias_set.size()]);
    }
    std::vector<std::int32_t> accumulators = {
        2147483647, -2147483647 - 1, 0, -1, 1, 2, -2, 3, -3, 6, -6, 10, -10, 14};
    for (std::size_t i = 0; i < noise.size(); ++i) {
      accumulators.push_back(std::int32_t{noise[i]} * (std::int32_t{1} << (i % 24)) + noise[i]);
    }
    // 4k + 1 whole pixels: most channel counts leave a tail shorter than a register.
    accumulators.resize((accumulators.size() / channels - 1) / 4 * 4 * channels + channels);
    const std::size_t pixels = accumulators.size() / channels;
    with_every_kernel([&] {
      std::vector<std::int8_t> codes(accumulators.size());
      requantise_channels(accumulators.data(), pixels, channels, bias.data(), rules.data(),
                          codes.data());
      for (std::size_t i = 0; i < accumulators.size(); ++i) {
        const std::size_t c = i % channels;
        const std::int64_t biased = std::int64_t{accumulators[i]} + bias[c];
        const auto saturated = static_cast<std::int32_t>(
            std::clamp<std::int64_t>(biased, -2147483647 - 1, 2147483647));
        ASSERT_EQ(codes[i], requantise(saturated, rules[c]))
            << channels << " channels, element " << i << ", channel " << c;
      }
    });
  }
}

TEST(Functional, RejectsInconsistentShapes) {
  const auto input = random_map(6, 6, 2, 1);
  EXPECT_THROW((void)convolve_int8(input, random_filters(1, 3, 3, 3, 2), {}), TpuError);
  EXPECT_THROW((void)convolve_int8(input, random_filters(1, 7, 3, 2, 2), {}), TpuError);
  EXPECT_THROW((void)convolve_int8(input, random_filters(1, 3, 3, 2, 2), {0, 1, 0, 0}), TpuError);
  EXPECT_THROW(FilterBank(2, 2, 2, 2, std::vector<std::int8_t>(15)), TpuError);
  EXPECT_THROW(Int8FeatureMap(2, 2, 2, std::vector<std::int8_t>(7)), TpuError);
  const Int8Matrix too_deep(1, 131072);
  EXPECT_THROW((void)multiply_int8(too_deep, too_deep), TpuError);
}

}  // namespace
}  // namespace imcosim::tpu
