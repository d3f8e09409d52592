#include "imcosim/nn/training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "imcosim/device/random_stream.hpp"
#include "imcosim/nn/checkpoint.hpp"
#include "imcosim/nn/error.hpp"
#include "imcosim/nn/evaluation.hpp"
#include "imcosim/nn/loss.hpp"

namespace imcosim::nn {

namespace {

// Streams of random draws, kept apart so that one never shifts another.
constexpr std::uint64_t shuffle_stream = 1;
constexpr std::uint64_t augment_stream = 2;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<std::size_t> in_order(std::size_t images) {
  std::vector<std::size_t> order(images);
  std::iota(order.begin(), order.end(), std::size_t{0});
  return order;
}

std::vector<std::size_t> epoch_order(std::size_t images, std::uint64_t seed, std::size_t epoch) {
  auto order = in_order(images);
  device::RandomStream stream(
      device::derive_seed(device::derive_seed(seed, shuffle_stream), epoch));
  for (std::size_t i = images; i > 1; --i) {
    std::swap(order[i - 1], order[stream.index(i)]);
  }
  return order;
}

Tensor<float> make_batch(const ImageDataset& dataset, const std::vector<std::size_t>& order,
                         std::size_t first, std::size_t count, const TrainingSettings& settings,
                         std::uint64_t stream_index) {
  const Shape shape{dataset.height(), dataset.width(), dataset.channels()};
  Tensor<float> batch(count, shape);
  const bool augment = settings.augment_shift > 0 || settings.augment_flip;
  const auto shift_range = static_cast<std::int64_t>(settings.augment_shift);
  for (std::size_t n = 0; n < count; ++n) {
    const std::uint8_t* image = dataset.image(order[first + n]);
    float* target = batch.sample(n);
    std::int64_t dy = 0;
    std::int64_t dx = 0;
    bool flip = false;
    if (augment) {
      device::RandomStream stream(device::derive_seed(
          device::derive_seed(settings.seed, augment_stream), stream_index + first + n));
      const auto span = static_cast<std::uint64_t>(2 * shift_range + 1);
      dy = static_cast<std::int64_t>(stream.index(span)) - shift_range;
      dx = static_cast<std::int64_t>(stream.index(span)) - shift_range;
      flip = settings.augment_flip && stream.uniform01() < 0.5;
    }
    const auto height = static_cast<std::int64_t>(shape.height);
    const auto width = static_cast<std::int64_t>(shape.width);
    for (std::int64_t y = 0; y < height; ++y) {
      for (std::int64_t x = 0; x < width; ++x) {
        const std::int64_t sy = y - dy;
        const std::int64_t sx = (flip ? width - 1 - x : x) - dx;
        if (sy < 0 || sy >= height || sx < 0 || sx >= width) {
          continue;
        }
        for (std::size_t c = 0; c < shape.channels; ++c) {
          target[(static_cast<std::size_t>(y * width + x)) * shape.channels + c] =
              static_cast<float>(
                  image[static_cast<std::size_t>(sy * width + sx) * shape.channels + c]) /
              255.0F;
        }
      }
    }
  }
  return batch;
}

TrainingResult train(HybridNetwork& network, const ImageDataset& train_set,
                     const ImageDataset* test_set, const TrainingSettings& settings,
                     const std::filesystem::path& checkpoint_path,
                     const std::function<void(const TrainingProgress&)>& progress,
                     const std::function<void(std::size_t, std::size_t)>& before_batch) {
  const Shape input = network.architecture().input();
  check_dataset_fits(network, train_set);
  if (test_set != nullptr) {
    check_dataset_fits(network, *test_set);
  }
  if (settings.batch_size == 0 || settings.epochs == 0) {
    throw NnError("training needs epochs >= 1 and a batch size >= 1");
  }
  auto parameters = network.model().parameters();
  Optimizer<float> optimizer(settings.optimizer, parameters);
  TrainingResult result;
  const std::string fingerprint = training_fingerprint(network, settings, train_set);
  if (std::filesystem::exists(checkpoint_path)) {
    result.log = read_checkpoint(checkpoint_path, fingerprint, network, optimizer);
    result.resumed = true;
    result.resumed_epochs = result.log.size();
  }
  const std::size_t images = train_set.size();
  const std::size_t batches = (images + settings.batch_size - 1) / settings.batch_size;
  const double total_steps = static_cast<double>(batches * settings.epochs);
  // Kept from batch to batch: the traces' buffers have the same sizes every batch, so they are
  // reused instead of returned to the system and faulted in again.
  std::vector<HybridNetwork::Trace> traces;
  for (std::size_t epoch = result.log.size() + 1; epoch <= settings.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    const auto order = epoch_order(images, settings.seed, epoch);
    double loss_sum = 0.0;
    std::size_t correct = 0;
    for (std::size_t b = 0; b < batches; ++b) {
      if (before_batch) {
        before_batch(epoch, b);
      }
      const std::size_t first = b * settings.batch_size;
      const std::size_t count = std::min(settings.batch_size, images - first);
      const Tensor<float> batch =
          make_batch(train_set, order, first, count, settings, (epoch - 1) * images);
      const std::size_t chunks = (count + images_per_chunk - 1) / images_per_chunk;
      traces.resize(chunks);
      std::vector<Gradients> gradients(chunks);
      std::vector<LossSummary> summaries(chunks);
      std::vector<std::int32_t> labels(count);
      for (std::size_t n = 0; n < count; ++n) {
        labels[n] = train_set.label(order[first + n]);
      }
#pragma omp parallel for schedule(dynamic)
      for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t chunk_first = c * images_per_chunk;
        const std::size_t chunk_count = std::min(images_per_chunk, count - chunk_first);
        Tensor<float> chunk(chunk_count, input);
        std::copy_n(batch.sample(chunk_first), chunk_count * input.size(), chunk.data());
        network.forward(chunk, traces[c], Phase::training);
        Tensor<float> output_gradient;
        summaries[c] = softmax_cross_entropy(network.outputs(traces[c]),
                                             labels.data() + chunk_first, settings.logit_scale,
                                             1.0 / static_cast<double>(count), output_gradient);
        gradients[c] = network.zero_gradients();
        network.backward(output_gradient, traces[c], gradients[c]);
      }
      // Sum the chunks' gradients in chunk order: the same result on any number of threads.
      for (std::size_t c = 1; c < chunks; ++c) {
        for (std::size_t l = 0; l < gradients[0].size(); ++l) {
          for (std::size_t p = 0; p < gradients[0][l].size(); ++p) {
            auto& total = gradients[0][l][p];
            const auto& part = gradients[c][l][p];
            for (std::size_t i = 0; i < total.size(); ++i) {
              total[i] += part[i];
            }
          }
        }
      }
      std::vector<const std::vector<float>*> flat;
      for (const auto& layer : gradients[0]) {
        for (const auto& parameter : layer) {
          flat.push_back(&parameter);
        }
      }
      const double progress_fraction =
          (static_cast<double>((epoch - 1) * batches + b)) / total_steps;
      const double rate = settings.final_learning_rate +
                          0.5 * (settings.optimizer.learning_rate - settings.final_learning_rate) *
                              (1.0 + std::cos(std::numbers::pi * progress_fraction));
      optimizer.step(parameters, flat, rate);
      for (std::size_t c = 0; c < chunks; ++c) {
        network.update_running_statistics(traces[c]);
        loss_sum += summaries[c].loss_sum;
        correct += summaries[c].correct;
      }
      if (!std::isfinite(loss_sum)) {
        throw NnError("training diverged in epoch " + std::to_string(epoch) +
                          " (non-finite loss); lower the learning rate",
                      ErrorKind::runtime);
      }
      if (progress) {
        const std::size_t done = first + count;
        progress({epoch, settings.epochs, done, images, loss_sum / static_cast<double>(done),
                  static_cast<double>(correct) / static_cast<double>(done)});
      }
    }
    EpochRecord record;
    record.epoch = epoch;
    record.loss = loss_sum / static_cast<double>(images);
    record.train_accuracy = static_cast<double>(correct) / static_cast<double>(images);
    record.seconds = seconds_since(start);
    record.images_per_second = static_cast<double>(images) / record.seconds;
    record.test_accuracy = test_set != nullptr && test_set->size() > 0
                               ? evaluate(network, *test_set).accuracy
                               : std::numeric_limits<double>::quiet_NaN();
    result.log.push_back(record);
    write_checkpoint(checkpoint_path, fingerprint, network, optimizer, result.log);
  }
  std::filesystem::remove(checkpoint_path);
  return result;
}

}  // namespace imcosim::nn
