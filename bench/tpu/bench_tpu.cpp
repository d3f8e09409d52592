// TPU model benchmarks. Each figure is printed with a baseline measured in the same run:
//  1. AlexNet's five conv layers (224 x 224 input, SCALE-Sim's alexnet.csv) on a 32 x 32 array:
//     analytic cycle model per layer and in total, against the register-level array simulating
//     Conv1 (output-stationary) in this run.
//  2. Functional int8 execution of LeNet-5-class conv layers over 10,000 images on all cores,
//     against a plain single-threaded nested-loop convolution run on a subset and scaled.
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "imcosim/tpu/functional.hpp"
#include "imcosim/tpu/layer_timing.hpp"
#include "imcosim/tpu/tpu_model.hpp"
#include "support/bench_arguments.hpp"

namespace {

using namespace imcosim::tpu;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::int8_t> random_int8(std::size_t count, std::mt19937& generator) {
  std::uniform_int_distribution<int> distribution(-128, 127);
  std::vector<std::int8_t> values(count);
  for (auto& value : values) {
    value = static_cast<std::int8_t>(distribution(generator));
  }
  return values;
}

// The plain reference: nested loops straight from the definition of a convolution.
Int32FeatureMap plain_convolution(const Int8FeatureMap& input, const FilterBank& filters,
                                  const ConvGeometry& geometry) {
  const std::size_t out_h = (input.height() - filters.height()) / geometry.stride_height + 1;
  const std::size_t out_w = (input.width() - filters.width()) / geometry.stride_width + 1;
  Int32FeatureMap output(out_h, out_w, filters.count());
  for (std::size_t oy = 0; oy < out_h; ++oy) {
    for (std::size_t ox = 0; ox < out_w; ++ox) {
      for (std::size_t n = 0; n < filters.count(); ++n) {
        std::int32_t sum = 0;
        for (std::size_t fy = 0; fy < filters.height(); ++fy) {
          for (std::size_t fx = 0; fx < filters.width(); ++fx) {
            for (std::size_t c = 0; c < filters.channels(); ++c) {
              sum += std::int32_t{input(oy * geometry.stride_height + fy,
                                        ox * geometry.stride_width + fx, c)} *
                     std::int32_t{filters(n, fy, fx, c)};
            }
          }
        }
        output(oy, ox, n) = sum;
      }
    }
  }
  return output;
}

void bench_alexnet_cycles() {
  const std::vector<ConvLayer> alexnet = {{"Conv1", 224, 224, 11, 11, 3, 96, 4, 4},
                                          {"Conv2", 27, 27, 5, 5, 96, 256, 1, 1},
                                          {"Conv3", 13, 13, 3, 3, 256, 384, 1, 1},
                                          {"Conv4", 13, 13, 3, 3, 384, 384, 1, 1},
                                          {"Conv5", 13, 13, 3, 3, 384, 256, 1, 1}};
  const ArrayShape array{32, 32};
  std::cout << "== AlexNet conv layers on a 32x32 array: analytic cycle model ==\n";
  double model_seconds_os = 0.0;
  for (const auto kind : {DataflowKind::output_stationary, DataflowKind::weight_stationary,
                          DataflowKind::input_stationary}) {
    const auto dataflow = make_dataflow(kind);
    double total_seconds = 0.0;
    std::int64_t total_cycles = 0;
    for (const auto& layer : alexnet) {
      constexpr int repetitions = 200;
      const auto start = Clock::now();
      LayerTiming timing;
      for (int r = 0; r < repetitions; ++r) {
        timing = analyse_layer(layer, array, *dataflow);
      }
      const double seconds = seconds_since(start) / repetitions;
      total_seconds += seconds;
      total_cycles += timing.total_cycles;
      std::cout << "  " << dataflow_code(kind) << ' ' << layer.name << ": " << std::setw(9)
                << timing.total_cycles << " cycles, " << std::setw(5) << timing.folds()
                << " folds, model time " << std::fixed << std::setprecision(2) << seconds * 1e6
                << " us\n"
                << std::defaultfloat;
    }
    if (kind == DataflowKind::output_stationary) {
      model_seconds_os = total_seconds;
    }
    std::cout << "  " << dataflow_code(kind) << " total: " << total_cycles << " cycles, model time "
              << std::fixed << std::setprecision(2) << total_seconds * 1e6 << " us\n"
              << std::defaultfloat;
  }

  // Baseline in this run: the register-level array computing Conv1's values cycle by cycle.
  std::cout << std::setprecision(6);
  std::mt19937 generator(2024);
  const auto& conv1 = alexnet[0];
  const Int8FeatureMap image(224, 224, 3, random_int8(224 * 224 * 3, generator));
  const FilterBank filters(96, 11, 11, 3, random_int8(96 * 11 * 11 * 3, generator));
  const ConvGeometry geometry{4, 4, 0, 0};
  const auto dataflow = make_dataflow(DataflowKind::output_stationary);
  const auto start = Clock::now();
  const auto run =
      dataflow->simulate(lower_ifmap(image, 11, 11, geometry), lower_filters(filters), array);
  const double register_seconds = seconds_since(start);
  // A stride of 4 over 224 leaves the last 3 input rows and columns unreached, so the values
  // come from a 54 x 54 output where SCALE-Sim's ceil formula counts 55 x 55.
  const ConvStage stage{conv1.name, filters, geometry, {}};
  const auto functional_timing = analyse_layer(conv_layer_for(image, stage), array, *dataflow);
  std::cout << "  baseline: register-level array on Conv1 (os, 54x54 outputs) took "
            << register_seconds << " s for " << run.cycles_stepped
            << " cycles (analytic busy cycles for the same layer " << functional_timing.busy_cycles
            << ")\n"
            << "  analytic model for all five layers (os) is "
            << register_seconds / model_seconds_os
            << "x faster than the register-level array on Conv1 alone\n"
            << "  (SCALE-Sim v2 needs about 200 s for these layers per the tracker issue; not "
               "measured here)\n\n";
}

void bench_lenet_functional() {
  constexpr std::size_t image_count = 10000;
  constexpr std::size_t baseline_images = 500;
  std::mt19937 generator(7);
  // LeNet-5-class: C1 6@5x5 on 32x32x1, then C3 16@5x5x6 with stride 2 standing in for the
  // subsampling layer between them.
  const std::vector<ConvStage> stages = {{"C1",
                                          FilterBank(6, 5, 5, 1, random_int8(6 * 25, generator)),
                                          {1, 1, 0, 0},
                                          Requantisation::from_scale(1.0 / 512, 0)},
                                         {"C3",
                                          FilterBank(16, 5, 5, 6, random_int8(16 * 150, generator)),
                                          {2, 2, 0, 0},
                                          Requantisation::from_scale(1.0 / 4096, 0)}};
  std::vector<Int8FeatureMap> images;
  images.reserve(image_count);
  for (std::size_t i = 0; i < image_count; ++i) {
    images.emplace_back(32, 32, 1, random_int8(32 * 32, generator));
  }
  const TpuModel model({32, 32}, DataflowKind::output_stationary);

  std::cout << std::setprecision(6);
  std::cout << "== LeNet-5-class conv layers (C1 6@5x5, C3 16@5x5x6 stride 2), int8 ==\n";
  const auto fast_start = Clock::now();
  const auto outputs = model.run_batch(images, stages);
  const double fast_seconds = seconds_since(fast_start);

  const std::vector<Int8FeatureMap> subset(images.begin(),
                                           images.begin() + static_cast<long>(baseline_images));
  bool identical = true;
  const auto plain_start = Clock::now();
  for (std::size_t i = 0; i < baseline_images; ++i) {
    Int8FeatureMap activations = subset[i];
    for (const auto& stage : stages) {
      activations = requantise(plain_convolution(activations, stage.filters, stage.geometry),
                               stage.requantisation);
    }
    identical = identical && activations == outputs[i];
  }
  const double plain_seconds = seconds_since(plain_start);

  const double fast_rate = static_cast<double>(image_count) / fast_seconds;
  const double plain_rate = static_cast<double>(baseline_images) / plain_seconds;
  const auto timing = model.run_network(images[0], stages, ExecutionMode::fast);
  std::cout << "  imcosim fast path: " << image_count << " images in " << fast_seconds
            << " s = " << fast_rate << " images/s (OpenMP, all cores)\n"
            << "  plain nested-loop reference: " << baseline_images << " images in "
            << plain_seconds << " s = " << plain_rate
            << " images/s (single thread; 10,000 images would take "
            << plain_seconds * static_cast<double>(image_count) / baseline_images << " s)\n"
            << "  speed-up over the plain reference: " << fast_rate / plain_rate << "x\n"
            << "  outputs bit-identical on the subset: " << (identical ? "yes" : "NO") << '\n'
            << "  array cycles per image on 32x32 os: "
            << timing[0].timing.total_cycles + timing[1].timing.total_cycles << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  imcosim::bench::BenchArguments(
      "usage: bench_tpu\nAlexNet's conv layers on the analytic cycle model against the "
      "register-level array, and LeNet-5-class int8 conv layers against a nested-loop "
      "convolution (no options).")
      .parse(argc, argv);
  bench_alexnet_cycles();
  bench_lenet_functional();
  return 0;
}
