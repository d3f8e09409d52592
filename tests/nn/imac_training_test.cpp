// The trainer's IMAC part (int8 TPU part, DAC, the ideal-wire circuit) against `imac fast`:
// the same images through the TPU model, the DAC and imac::FastEvaluator on the exported FC part
// with ideal wires agree within 5 mV (measured: float32 rounding, ~1e-7 V); and a training step
// through the circuit moves the loss.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "imac/imac_test_support.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/nn/evaluation.hpp"
#include "imcosim/nn/training.hpp"
#include "support/workload.hpp"

namespace imcosim::nn {
namespace {

constexpr double tolerance_volt = 5e-3;

imac::ImacParameters ideal_reference_circuit() {
  imac::ImacParameters parameters;
  parameters.wire_model = imac::WireModel::ideal;
  return parameters;
}

const imac::NeuronTable& reference_neuron() {
  static const imac::NeuronTable table = [] {
    const auto parameters = ideal_reference_circuit();
    spice::WorkerPool pool({.worker_count = 1});
    return imac::characterise_neuron(pool, imac::neuron_circuit(parameters),
                                     imac::neuron_grid_for(parameters),
                                     testing::shared_neuron_cache());
  }();
  return table;
}

HybridNetwork lenet_on_imac(const ImageDataset& calibration) {
  HybridNetwork network(reference_architecture("lenet5"));
  network.model().initialise(11);
  network.quantise(calibration, 128);
  std::vector<Eigen::Index> sizes{400, 120, 84, 10};
  network.attach_imac(
      std::make_shared<const ImacCircuit>(ideal_reference_circuit(), reference_neuron(), sizes,
                                          imac::WeightEncoding::ternary),
      DacParameters{});
  return network;
}

TEST(ImacTraining, TrainerForwardEqualsImacFastOnTwoHundredImages) {
  const auto test = read_fashion_mnist(fashion_mnist_directory, DatasetSplit::test)
                        .subset(0, testing::workload<std::size_t>(200, 24));
  const HybridNetwork network = lenet_on_imac(test);
  auto order = in_order(test.size());
  HybridNetwork::Trace trace;
  network.forward(make_batch(test, order, 0, test.size(), TrainingSettings{}, 0), trace,
                  Phase::inference);
  const auto& trainer = network.outputs(trace);

  const imac::ImacNetwork circuit(network.imac_model(), ideal_reference_circuit());
  const imac::FastEvaluator fast(circuit, reference_neuron());
  const auto evaluation = fast.evaluate(imac_inputs_volt(network, test));
  double worst = 0.0;
  std::size_t same_class = 0;
  for (std::size_t k = 0; k < test.size(); ++k) {
    const float* y = trainer.sample(k);
    Eigen::Index best = 0;
    for (Eigen::Index n = 0; n < evaluation.outputs_volt.cols(); ++n) {
      worst = std::max(worst, std::abs(static_cast<double>(y[n]) -
                                       evaluation.outputs_volt(static_cast<Eigen::Index>(k), n)));
      best = y[n] > y[best] ? n : best;
    }
    same_class += best == evaluation.predicted_class[k] ? std::size_t{1} : std::size_t{0};
  }
  std::cout << "trainer vs imac fast (ideal wires), 200 images: max |dV| = " << worst << " V on "
            << test.size() << " images\n";
  EXPECT_LE(worst, tolerance_volt);
  EXPECT_EQ(same_class, test.size());
}

TEST(ImacTraining, AStepThroughTheCircuitLowersTheLoss) {
  const auto train_set = read_fashion_mnist(fashion_mnist_directory, DatasetSplit::train)
                             .subset(0, testing::workload<std::size_t>(64, 16));
  HybridNetwork network = lenet_on_imac(train_set);
  TrainingSettings settings;
  settings.epochs = 3;
  settings.batch_size = testing::workload<std::size_t>(64, 16);
  settings.logit_scale = 20.0;
  settings.optimizer.learning_rate = 3e-3;
  const auto path = std::filesystem::temp_directory_path() /
                    ("imcosim-imac-training-" + std::to_string(::getpid()));
  const auto result = train(network, train_set, nullptr, settings, path, {});
  ASSERT_EQ(result.log.size(), 3U);
  EXPECT_LT(result.log.back().loss, result.log.front().loss);
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace imcosim::nn
