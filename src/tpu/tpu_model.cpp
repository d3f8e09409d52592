#include "imcosim/tpu/tpu_model.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#include "imcosim/tpu/error.hpp"

namespace imcosim::tpu {

namespace {

Int32FeatureMap as_feature_map(Int32Matrix outputs, std::size_t height, std::size_t width) {
  const std::size_t channels = outputs.cols();
  std::vector<std::int32_t> values = outputs.values();
  return {height, width, channels, std::move(values)};
}

void check_stage(const Int8FeatureMap& input, const ConvStage& stage) {
  if (stage.groups == 0 || stage.filters.count() % stage.groups != 0 ||
      input.channels() != stage.filters.channels() * stage.groups) {
    throw TpuError("layer '" + stage.name + "': the input has " + std::to_string(input.channels()) +
                   " channels but its " + std::to_string(stage.groups) +
                   " group(s) of filters expect " + std::to_string(stage.filters.channels()) +
                   " each");
  }
  if (!stage.bias.empty() && stage.bias.size() != stage.filters.count()) {
    throw TpuError("layer '" + stage.name + "': " + std::to_string(stage.bias.size()) +
                   " biases for " + std::to_string(stage.filters.count()) + " filters");
  }
  if (!stage.channel_requantisation.empty() &&
      stage.channel_requantisation.size() != stage.filters.count()) {
    throw TpuError(
        "layer '" + stage.name + "': " + std::to_string(stage.channel_requantisation.size()) +
        " requantisation rules for " + std::to_string(stage.filters.count()) + " filters");
  }
  validate_requantisation(stage.requantisation);
  for (const auto& rule : stage.channel_requantisation) {
    validate_requantisation(rule);
  }
}

// Channels [first, first + count) of a feature map.
Int8FeatureMap channel_slice(const Int8FeatureMap& input, std::size_t first, std::size_t count) {
  Int8FeatureMap slice(input.height(), input.width(), count);
  for (std::size_t y = 0; y < input.height(); ++y) {
    for (std::size_t x = 0; x < input.width(); ++x) {
      for (std::size_t c = 0; c < count; ++c) {
        slice(y, x, c) = input(y, x, first + c);
      }
    }
  }
  return slice;
}

// Filters [first, first + count) of a bank.
FilterBank filter_slice(const FilterBank& filters, std::size_t first, std::size_t count) {
  const auto begin =
      filters.values().begin() + static_cast<std::ptrdiff_t>(first * filters.window_size());
  return {count, filters.height(), filters.width(), filters.channels(),
          std::vector<std::int8_t>(
              begin, begin + static_cast<std::ptrdiff_t>(count * filters.window_size()))};
}

// Runs a convolution one channel group at a time, each group's accumulators placed at its
// filters' channels.
template <typename Convolve>
Int32FeatureMap grouped(const Int8FeatureMap& input, const ConvStage& stage, Convolve convolve) {
  if (stage.groups == 1) {
    return convolve(input, stage.filters);
  }
  const std::size_t group_filters = stage.filters.count() / stage.groups;
  const std::size_t group_channels = stage.filters.channels();
  Int32FeatureMap output;
  for (std::size_t g = 0; g < stage.groups; ++g) {
    const auto part = convolve(channel_slice(input, g * group_channels, group_channels),
                               filter_slice(stage.filters, g * group_filters, group_filters));
    if (g == 0) {
      output = Int32FeatureMap(part.height(), part.width(), stage.filters.count());
    }
    for (std::size_t y = 0; y < part.height(); ++y) {
      for (std::size_t x = 0; x < part.width(); ++x) {
        for (std::size_t n = 0; n < group_filters; ++n) {
          output(y, x, g * group_filters + n) = part(y, x, n);
        }
      }
    }
  }
  return output;
}

Int32FeatureMap convolve_stage(const Int8FeatureMap& input, const ConvStage& stage) {
  return grouped(input, stage, [&stage](const Int8FeatureMap& in, const FilterBank& filters) {
    return convolve_int8(in, filters, stage.geometry);
  });
}

}  // namespace

Int8FeatureMap requantise_stage(const Int32FeatureMap& accumulators, const ConvStage& stage) {
  if (stage.bias.empty() && stage.channel_requantisation.empty()) {
    return requantise(accumulators, stage.requantisation);
  }
  const std::size_t channels = accumulators.channels();
  // A stage may list fewer biases or rules than channels: the rest are 0 and the stage's rule.
  std::vector<std::int32_t> bias = stage.bias;
  bias.resize(channels, 0);
  std::vector<Requantisation> rules = stage.channel_requantisation;
  rules.resize(channels, stage.requantisation);
  const std::vector<std::int32_t>& values = accumulators.values();
  std::vector<std::int8_t> codes(values.size());
  requantise_channels(values.data(), values.size() / std::max<std::size_t>(channels, 1), channels,
                      bias.data(), rules.data(), codes.data());
  return {accumulators.height(), accumulators.width(), channels, std::move(codes)};
}

TpuModel::TpuModel(ArrayShape array, DataflowKind dataflow)
    : array_(array), dataflow_(make_dataflow(dataflow)) {
  validate_array_shape(array_);
}

LayerTiming TpuModel::analyse(const ConvLayer& layer) const {
  return analyse_layer(layer, array_, *dataflow_);
}

ConvLayer conv_layer_for(const Int8FeatureMap& input, const ConvStage& stage) {
  const auto& geometry = stage.geometry;
  const auto& filters = stage.filters;
  const std::size_t out_height = conv_output_extent(
      input.height(), filters.height(), geometry.stride_height, geometry.padding_height, "height");
  const std::size_t out_width = conv_output_extent(
      input.width(), filters.width(), geometry.stride_width, geometry.padding_width, "width");
  // Rows and columns of the padded input that no window reaches (a stride that does not divide
  // the input) are left out, so SCALE-Sim's ceil formula gives the functional output size.
  ConvLayer layer;
  layer.name = stage.name;
  layer.ifmap_height =
      static_cast<std::int64_t>((out_height - 1) * geometry.stride_height + filters.height());
  layer.ifmap_width =
      static_cast<std::int64_t>((out_width - 1) * geometry.stride_width + filters.width());
  layer.filter_height = static_cast<std::int64_t>(stage.filters.height());
  layer.filter_width = static_cast<std::int64_t>(stage.filters.width());
  layer.channels = static_cast<std::int64_t>(stage.filters.channels());
  layer.num_filters =
      static_cast<std::int64_t>(stage.filters.count() / std::max<std::size_t>(stage.groups, 1));
  layer.stride_height = static_cast<std::int64_t>(geometry.stride_height);
  layer.stride_width = static_cast<std::int64_t>(geometry.stride_width);
  return layer;
}

ConvStageResult TpuModel::run_conv(const Int8FeatureMap& input, const ConvStage& stage,
                                   ExecutionMode mode) const {
  check_stage(input, stage);

  // 1. The layer as the array sees it (one channel group of it), and its analytic timing.
  ConvStageResult result;
  result.layer = conv_layer_for(input, stage);
  result.timing = analyse(result.layer);

  // 2. The int32 accumulators, either moved through the PEs or computed directly.
  const auto out_height = static_cast<std::size_t>(result.layer.ofmap_height());
  const auto out_width = static_cast<std::size_t>(result.layer.ofmap_width());
  if (mode == ExecutionMode::cycle_level) {
    result.accumulators =
        grouped(input, stage, [&](const Int8FeatureMap& in, const FilterBank& filters) {
          auto run = dataflow_->simulate(
              lower_ifmap(in, filters.height(), filters.width(), stage.geometry),
              lower_filters(filters), array_);
          result.simulated_busy_cycles += run.cycles_stepped;
          return as_feature_map(std::move(run.outputs), out_height, out_width);
        });
  } else {
    result.accumulators = convolve_stage(input, stage);
  }

  // 3. Bias and requantisation give the int8 activations the next layer consumes.
  result.activations = requantise_stage(result.accumulators, stage);
  return result;
}

std::vector<ConvStageResult> TpuModel::run_network(const Int8FeatureMap& input,
                                                   const std::vector<ConvStage>& stages,
                                                   ExecutionMode mode) const {
  std::vector<ConvStageResult> results;
  results.reserve(stages.size());
  const Int8FeatureMap* layer_input = &input;
  for (const auto& stage : stages) {
    results.push_back(run_conv(*layer_input, stage, mode));
    layer_input = &results.back().activations;
  }
  return results;
}

std::vector<Int8FeatureMap> TpuModel::run_batch(const std::vector<Int8FeatureMap>& images,
                                                const std::vector<ConvStage>& stages) const {
  std::vector<Int8FeatureMap> outputs(images.size());
  // Exceptions must not cross the OpenMP region; the first one is rethrown after it.
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 16)
  for (std::size_t image = 0; image < images.size(); ++image) {
    try {
      Int8FeatureMap activations = images[image];
      for (const auto& stage : stages) {
        check_stage(activations, stage);
        activations = requantise_stage(convolve_stage(activations, stage), stage);
      }
      outputs[image] = std::move(activations);
    } catch (...) {
#pragma omp critical(imcosim_tpu_batch_failure)
      if (!failure) {
        failure = std::current_exception();
      }
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  return outputs;
}

std::vector<LayerReport> simulate_topology(const Topology& topology,
                                           const ArchitectureConfig& config) {
  const TpuModel model(config.array, config.dataflow);
  std::vector<LayerReport> reports;
  reports.reserve(topology.layers.size());
  for (const auto& layer : topology.layers) {
    auto timing = model.analyse(layer);
    auto dram = estimate_dram_traffic(layer, timing, config);
    reports.push_back(LayerReport{layer, timing, dram});
  }
  return reports;
}

}  // namespace imcosim::tpu
