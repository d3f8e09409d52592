#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/network.hpp"
#include "imcosim/nn/optimizer.hpp"

namespace imcosim::nn {

// Every hyper-parameter of a training run; all of them are stored in the output file.
struct TrainingSettings {
  std::size_t epochs = 10;
  std::size_t batch_size = 64;
  OptimizerSettings optimizer{};
  // The learning rate follows a cosine from optimizer.learning_rate to final_learning_rate
  // over the run (per batch).
  double final_learning_rate = 1e-5;
  // Softmax cross-entropy on logit_scale x outputs; see loss.hpp.
  double logit_scale = 10.0;
  std::uint64_t seed = 1;
  // Random shifts of up to augment_shift pixels and, with augment_flip, horizontal mirroring.
  std::size_t augment_shift = 0;
  bool augment_flip = false;
  // What else decides the weights but is recorded apart from the settings (the IMAC circuit's
  // configuration and how its wires are trained): part of the checkpoint fingerprint only, so a
  // run is not resumed on another circuit.
  std::string hardware;
};

// One epoch's line of the training log.
struct EpochRecord {
  std::size_t epoch = 0;  // 1-based
  double loss = 0.0;      // mean training loss, nats
  double train_accuracy = 0.0;
  double test_accuracy = 0.0;  // NaN without a test set
  double seconds = 0.0;
  double images_per_second = 0.0;
};

struct TrainingProgress {
  std::size_t epoch = 0;  // 1-based
  std::size_t epochs = 0;
  std::size_t images_done = 0;  // in this epoch
  std::size_t images_total = 0;
  double loss = 0.0;  // running mean over the epoch
  double accuracy = 0.0;
};

// Images per parallel chunk of a batch. Gradients are summed chunk by chunk in a fixed order and
// batch-norm statistics are per chunk, so results depend on the seed, never on the thread
// count.
inline constexpr std::size_t images_per_chunk = 16;

// The batch of images [order[first], order[first + count]) as network inputs (pixels / 255),
// augmented when `settings` asks, with draws from derive_seed(seed, stream_index + position).
Tensor<float> make_batch(const ImageDataset& dataset, const std::vector<std::size_t>& order,
                         std::size_t first, std::size_t count, const TrainingSettings& settings,
                         std::uint64_t stream_index);

// Images 0, 1, ..., images - 1: the order of evaluations.
std::vector<std::size_t> in_order(std::size_t images);

// The image order of one epoch: a Fisher-Yates shuffle from derive_seed(seed, epoch).
std::vector<std::size_t> epoch_order(std::size_t images, std::uint64_t seed, std::size_t epoch);

struct TrainingResult {
  std::vector<EpochRecord> log;
  bool resumed = false;
  std::size_t resumed_epochs = 0;
};

// Trains `network` on `train` (testing on `test` after every epoch when it is non-empty),
// writing a checkpoint to `checkpoint_path` after every epoch and resuming from it when it
// exists and was made with the same settings and network; the checkpoint is removed at the end.
// Throws NnError on mismatched shapes or a diverging run (non-finite loss).
// `progress` is called after every step, `before_batch` (when given) before every step with the
// epoch (1-based) and the batch within it, e.g. to refresh a circuit model from the weights;
// both on the calling thread, between steps.
TrainingResult train(
    HybridNetwork& network, const ImageDataset& train_set, const ImageDataset* test_set,
    const TrainingSettings& settings, const std::filesystem::path& checkpoint_path,
    const std::function<void(const TrainingProgress&)>& progress,
    const std::function<void(std::size_t epoch, std::size_t batch)>& before_batch = {});

}  // namespace imcosim::nn
