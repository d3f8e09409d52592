// bench_nn: LeNet-5 training and inference images/s of imcosim's nn stage against PyTorch (CPU)
// on the same model, batch size and thread count, measured side by side in one run.
//
//   bench_nn [--threads 2] [--batch 64] [--images 20000]
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "imcosim/device/random_stream.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/evaluation.hpp"
#include "imcosim/nn/loss.hpp"
#include "imcosim/nn/network.hpp"
#include "imcosim/nn/training.hpp"
#include "imcosim/tpu/tpu_model.hpp"
#include "support/bench_arguments.hpp"

namespace {

using namespace imcosim;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Options {
  int threads = 2;
  std::size_t batch = 64;
  std::size_t images = 20000;
};

Options parse(int argc, char** argv) {
  Options options;
  bench::BenchArguments(
      "usage: bench_nn [--threads 2] [--batch 64] [--images 20000]\n"
      "LeNet-5 training and inference images/s against PyTorch (python3-torch).")
      .integer("--threads", options.threads)
      .integer("--batch", options.batch)
      .integer("--images", options.images)
      .parse(argc, argv);
  return options;
}

// Random 28 x 28 images with random labels: throughput does not depend on the values.
nn::ImageDataset random_images(std::size_t count) {
  device::RandomStream stream(2024);
  std::vector<std::uint8_t> pixels(count * 28 * 28);
  std::vector<std::int32_t> labels(count);
  for (auto& p : pixels) {
    p = static_cast<std::uint8_t>(stream.index(256));
  }
  for (auto& l : labels) {
    l = static_cast<std::int32_t>(stream.index(10));
  }
  return {28, 28, 1, 10, std::move(pixels), std::move(labels), "random images"};
}

// imcosim's training throughput: one epoch over the images (forward, backward, Adam step).
double train_images_per_s(const nn::ImageDataset& images, const Options& options) {
  nn::HybridNetwork network(nn::reference_architecture("lenet5"));
  network.model().initialise(1);
  nn::TrainingSettings settings;
  settings.epochs = 1;
  settings.batch_size = options.batch;
  settings.optimizer.kind = nn::OptimizerKind::sgd;  // as the baseline
  settings.optimizer.learning_rate = 0.01;
  const auto checkpoint = std::filesystem::temp_directory_path() / "bench_nn.checkpoint";
  std::filesystem::remove(checkpoint);
  const auto start = std::chrono::steady_clock::now();
  (void)nn::train(network, images, nullptr, settings, checkpoint, {});
  return static_cast<double>(images.size()) / seconds_since(start);
}

// Inference as nn::predict runs it: chunks of 32 images spread over the threads.
double infer_images_per_s(const nn::HybridNetwork& network, const nn::ImageDataset& images) {
  const auto start = std::chrono::steady_clock::now();
  (void)nn::predict(network, images);
  return static_cast<double>(images.size()) / seconds_since(start);
}

// The whole network on the TPU model as the co-simulation's TPU-only baseline runs it: the
// program quantised once, the conv part and then the FC part on the array, images/s.
double tpu_images_per_s(const nn::HybridNetwork& network, const nn::ImageDataset& images) {
  const tpu::TpuModel tpu({32, 32}, tpu::DataflowKind::output_stationary);
  const nn::TpuProgram program = network.tpu_program();
  const auto start = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(dynamic, 16)
  for (std::size_t k = 0; k < images.size(); ++k) {
    const auto split = network.run_tpu_part(tpu, program, network.input_codes(images.image(k)),
                                            tpu::ExecutionMode::fast);
    (void)network.run_fc_on_tpu(tpu, program, split, tpu::ExecutionMode::fast);
  }
  return static_cast<double>(images.size()) / seconds_since(start);
}

struct Baseline {
  double train_images_per_s = 0.0;
  double infer_images_per_s = 0.0;
};

Baseline pytorch(const Options& options) {
  const std::string command = "/usr/bin/python3 " IMCOSIM_PYTORCH_BASELINE " --json --threads " +
                              std::to_string(options.threads) + " --batch " +
                              std::to_string(options.batch) + " --images " +
                              std::to_string(options.images);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string output;
  char buffer[512];
  while (pipe && fgets(buffer, sizeof buffer, pipe.get()) != nullptr) {
    output += buffer;
  }
  Baseline baseline;
  const auto field = [&](const std::string& name) {
    const auto at = output.find("\"" + name + "\":");
    return at == std::string::npos ? 0.0
                                   : std::strtod(output.c_str() + at + name.size() + 3, nullptr);
  };
  baseline.train_images_per_s = field("train_images_per_s");
  baseline.infer_images_per_s = field("infer_images_per_s");
  if (baseline.train_images_per_s <= 0.0) {
    std::cerr << "bench_nn: the PyTorch baseline failed (apt-get install python3-torch):\n"
              << output;
    std::exit(1);
  }
  return baseline;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  omp_set_num_threads(options.threads);
  const auto images = random_images(options.images);
  std::cout << "bench_nn: LeNet-5, batch " << options.batch << ", " << options.threads
            << " threads, " << options.images << " random 28x28 images\n";
  const Baseline baseline = pytorch(options);
  const double train = train_images_per_s(images, options);
  nn::HybridNetwork network(nn::reference_architecture("lenet5"));
  network.model().initialise(1);
  const double infer_float = infer_images_per_s(network, images);
  network.quantise(images, 256);
  const double infer_int8 = infer_images_per_s(network, images);
  const double tpu = tpu_images_per_s(network, images);
  std::printf("  PyTorch baseline: training %.0f images/s, inference %.0f images/s\n",
              baseline.train_images_per_s, baseline.infer_images_per_s);
  std::printf("  training (float, SGD):           %8.0f images/s  %.2fx PyTorch\n", train,
              train / baseline.train_images_per_s);
  std::printf("  inference, float:                %8.0f images/s  %.2fx PyTorch\n", infer_float,
              infer_float / baseline.infer_images_per_s);
  std::printf("  inference, int8 emulation:       %8.0f images/s  %.2fx PyTorch float\n",
              infer_int8, infer_int8 / baseline.infer_images_per_s);
  std::printf("  TPU model int8 (whole net):      %8.0f images/s  %.2fx PyTorch float\n", tpu,
              tpu / baseline.infer_images_per_s);
  return 0;
}
