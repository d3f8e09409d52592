// Training is reproducible: the same weights whatever the thread count, and a run interrupted
// after an epoch resumes from its checkpoint to the same weights as an uninterrupted run.
#include "imcosim/nn/training.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <filesystem>

#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/error.hpp"
#include "support/workload.hpp"

namespace imcosim::nn {
namespace {

struct Interrupted {};

std::vector<float> all_parameters(HybridNetwork& network) {
  std::vector<float> values;
  for (const auto* parameter : network.model().parameters()) {
    values.insert(values.end(), parameter->values.begin(), parameter->values.end());
  }
  return values;
}

class Training : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("imcosim-training-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
    settings_.epochs = 2;
    settings_.batch_size = 40;  // 2.5 chunks: a partial chunk in every batch
    settings_.augment_shift = 1;
    settings_.augment_flip = true;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::vector<float> run(int threads, const std::string& name, std::size_t stop_after_epoch = 0) {
    omp_set_num_threads(threads);
    HybridNetwork network(reference_architecture("lenet5"));
    network.model().initialise(settings_.seed);
    try {
      train(network, train_, &test_, settings_, directory_ / name,
            [&](const TrainingProgress& progress) {
              if (stop_after_epoch > 0 && progress.epoch > stop_after_epoch) {
                throw Interrupted{};
              }
            });
    } catch (const Interrupted&) {
      return {};
    }
    return all_parameters(network);
  }

  ImageDataset train_ = read_fashion_mnist(fashion_mnist_directory, DatasetSplit::train)
                            .subset(0, testing::workload<std::size_t>(400, 96));
  ImageDataset test_ = read_fashion_mnist(fashion_mnist_directory, DatasetSplit::test)
                           .subset(0, testing::workload<std::size_t>(100, 32));
  TrainingSettings settings_;
  std::filesystem::path directory_;
};

TEST_F(Training, SameWeightsOnOneAndTwoThreads) {
  const auto one = run(1, "one.checkpoint");
  const auto two = run(2, "two.checkpoint");
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(one, two);
  EXPECT_FALSE(std::filesystem::exists(directory_ / "one.checkpoint"));
}

TEST_F(Training, InterruptedRunResumesToTheSameWeights) {
  const auto uninterrupted = run(2, "a.checkpoint");
  EXPECT_TRUE(run(2, "b.checkpoint", 1).empty());
  ASSERT_TRUE(std::filesystem::exists(directory_ / "b.checkpoint"));
  const auto resumed = run(1, "b.checkpoint");
  EXPECT_EQ(resumed, uninterrupted);
}

TEST_F(Training, ACheckpointOfAnotherRunIsRefused) {
  EXPECT_TRUE(run(2, "c.checkpoint", 1).empty());
  settings_.seed = 99;
  EXPECT_THROW(run(2, "c.checkpoint"), NnError);
}

TEST_F(Training, ImagesOfAnotherSizeAreRefusedNamingTheDataset) {
  HybridNetwork network(parse_architecture(
      "input 32 32 1\nconv2d filters=2 kernel=5\nflatten\nsplit\ndense units=10\nimac_sigmoid\n",
      "test"));
  try {
    train(network, train_, nullptr, settings_, directory_ / "d.checkpoint", {});
    FAIL();
  } catch (const NnError& error) {
    EXPECT_NE(std::string(error.what()).find("28x28x1 but the model"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace imcosim::nn
