// The trainer's int8 forward (fake-quantised float emulation) against the TPU model running the
// same deployment (tpu::ConvStage per convolution, int8 host pooling, the FC layers as int8
// GEMMs with host neurons): identical codes at the split and identical class scores.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/network.hpp"
#include "imcosim/nn/training.hpp"
#include "imcosim/tpu/tpu_model.hpp"
#include "support/workload.hpp"

namespace imcosim::nn {
namespace {

// The codes the emulation hands to the IMAC part, image by image.
std::vector<tpu::Int8FeatureMap> emulated_split_codes(const HybridNetwork& network,
                                                      const ImageDataset& images) {
  auto order = in_order(images.size());
  HybridNetwork::Trace trace;
  network.forward(make_batch(images, order, 0, images.size(), TrainingSettings{}, 0), trace,
                  Phase::inference);
  const auto& at_split = trace.layers.activations[network.architecture().split()];
  const double scale = network.split_scale();
  std::vector<tpu::Int8FeatureMap> codes;
  for (std::size_t n = 0; n < images.size(); ++n) {
    std::vector<std::int8_t> values(at_split.shape().size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double code = static_cast<double>(at_split.sample(n)[i]) / scale;
      EXPECT_NEAR(code, std::round(code), 1e-3) << "off the code grid";
      values[i] = static_cast<std::int8_t>(std::round(code));
    }
    codes.emplace_back(1, 1, values.size(), std::move(values));
  }
  return codes;
}

void expect_tpu_agrees(const HybridNetwork& network, const ImageDataset& images,
                       std::size_t cycle_level_images) {
  const auto emulated = emulated_split_codes(network, images);
  const tpu::TpuModel tpu({8, 8}, tpu::DataflowKind::output_stationary);
  std::size_t nonzero = 0;
  for (std::size_t n = 0; n < images.size(); ++n) {
    const auto codes =
        network.run_tpu_part(tpu, network.input_codes(images.image(n)), tpu::ExecutionMode::fast);
    ASSERT_EQ(codes.values(), emulated[n].values()) << "image " << n;
    for (const auto v : codes.values()) {
      nonzero += v != 0 ? 1 : 0;
    }
    if (n < cycle_level_images) {
      EXPECT_EQ(network
                    .run_tpu_part(tpu, network.input_codes(images.image(n)),
                                  tpu::ExecutionMode::cycle_level)
                    .values(),
                codes.values());
    }
  }
  EXPECT_GT(nonzero, images.size());  // the comparison is not between all-zero tensors
}

// The TPU-only deployment's class scores (FC layers on the array, neurons on the host) against
// the emulation's outputs, bit for bit.
void expect_tpu_scores_agree(const HybridNetwork& network, const ImageDataset& images) {
  auto order = in_order(images.size());
  HybridNetwork::Trace trace;
  network.forward(make_batch(images, order, 0, images.size(), TrainingSettings{}, 0), trace,
                  Phase::inference);
  const auto& emulated = network.outputs(trace);
  const tpu::TpuModel tpu({8, 8}, tpu::DataflowKind::weight_stationary);
  const TpuProgram program = network.tpu_program();
  std::size_t distinct = 0;
  for (std::size_t n = 0; n < images.size(); ++n) {
    const auto split = network.run_tpu_part(tpu, program, network.input_codes(images.image(n)),
                                            tpu::ExecutionMode::fast);
    const auto scores = network.run_fc_on_tpu(tpu, program, split, tpu::ExecutionMode::fast);
    ASSERT_EQ(scores.size(), emulated.shape().size());
    for (std::size_t c = 0; c < scores.size(); ++c) {
      ASSERT_EQ(scores[c], emulated.sample(n)[c]) << "image " << n << ", class " << c;
    }
    distinct += scores.front() != scores.back() ? 1U : 0U;
  }
  EXPECT_GT(distinct, 0U);  // the scores carry information
}

// Inference runs the convolutions without groups through the TPU's int8 kernels; training runs
// the float emulation (exact integer sums in float) that backward needs. Both give the same
// activations, layer by layer, bit for bit.
void expect_training_forward_equals_inference(const HybridNetwork& network,
                                              const ImageDataset& images) {
  auto order = in_order(images.size());
  const auto batch = make_batch(images, order, 0, images.size(), TrainingSettings{}, 0);
  HybridNetwork::Trace inference;
  HybridNetwork::Trace training;
  network.forward(batch, inference, Phase::inference);
  network.forward(batch, training, Phase::training);
  ASSERT_EQ(inference.layers.activations.size(), training.layers.activations.size());
  for (std::size_t l = 0; l < inference.layers.activations.size(); ++l) {
    EXPECT_EQ(inference.layers.activations[l].values(), training.layers.activations[l].values())
        << "after layer " << l;
  }
}

TEST(Int8, LeNetEmulationEqualsTheTpuModelOnAThousandTestImages) {
  const auto test = read_fashion_mnist(fashion_mnist_directory, DatasetSplit::test)
                        .subset(0, testing::workload<std::size_t>(1000, 60));
  HybridNetwork network(reference_architecture("lenet5"));
  network.model().initialise(7);
  network.quantise(test, testing::workload<std::size_t>(256, 32));
  ASSERT_EQ(network.precision(), Precision::int8);
  expect_tpu_agrees(network, test, 2);
  expect_tpu_scores_agree(network, test);
  expect_training_forward_equals_inference(network,
                                           test.subset(0, std::min<std::size_t>(100, test.size())));
}

TEST(Int8, MobileNetWithFoldedBatchNormDepthwiseRelu6AndAveragePool) {
  const auto test = read_fashion_mnist(fashion_mnist_directory, DatasetSplit::test)
                        .subset(0, testing::workload<std::size_t>(200, 20));
  HybridNetwork trained(reference_architecture("mobilenet"));
  trained.model().initialise(8);
  HybridNetwork network = trained.with_batch_norm_folded();
  for (const auto& layer : network.architecture().layers()) {
    EXPECT_NE(layer.kind, "batchnorm");
  }
  network.quantise(test, 128);
  expect_tpu_agrees(network, test, 1);
  expect_tpu_scores_agree(network, test);
  expect_training_forward_equals_inference(network,
                                           test.subset(0, std::min<std::size_t>(20, test.size())));
}

}  // namespace
}  // namespace imcosim::nn
