#include "imcosim/tpu/tpu_model.hpp"

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

void check_channels(const Int8FeatureMap& input, const ConvStage& stage) {
  if (input.channels() != stage.filters.channels()) {
    throw TpuError("layer '" + stage.name + "': the input has " + std::to_string(input.channels()) +
                   " channels but its filters expect " + std::to_string(stage.filters.channels()));
  }
}

}  // namespace

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
  layer.num_filters = static_cast<std::int64_t>(stage.filters.count());
  layer.stride_height = static_cast<std::int64_t>(geometry.stride_height);
  layer.stride_width = static_cast<std::int64_t>(geometry.stride_width);
  return layer;
}

ConvStageResult TpuModel::run_conv(const Int8FeatureMap& input, const ConvStage& stage,
                                   ExecutionMode mode) const {
  check_channels(input, stage);
  validate_requantisation(stage.requantisation);

  // 1. The layer as the array sees it, and its analytic timing.
  ConvStageResult result;
  result.layer = conv_layer_for(input, stage);
  result.timing = analyse(result.layer);

  // 2. The int32 accumulators, either moved through the PEs or computed directly.
  const auto out_height = static_cast<std::size_t>(result.layer.ofmap_height());
  const auto out_width = static_cast<std::size_t>(result.layer.ofmap_width());
  if (mode == ExecutionMode::cycle_level) {
    auto run = dataflow_->simulate(
        lower_ifmap(input, stage.filters.height(), stage.filters.width(), stage.geometry),
        lower_filters(stage.filters), array_);
    result.simulated_busy_cycles = run.cycles_stepped;
    result.accumulators = as_feature_map(std::move(run.outputs), out_height, out_width);
  } else {
    result.accumulators = convolve_int8(input, stage.filters, stage.geometry);
  }

  // 3. Requantise to the int8 activations the next layer consumes.
  result.activations = requantise(result.accumulators, stage.requantisation);
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
  for (const auto& stage : stages) {
    validate_requantisation(stage.requantisation);
  }
  std::vector<Int8FeatureMap> outputs(images.size());
  // Exceptions must not cross the OpenMP region; the first one is rethrown after it.
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 16)
  for (std::size_t image = 0; image < images.size(); ++image) {
    try {
      Int8FeatureMap activations = images[image];
      for (const auto& stage : stages) {
        check_channels(activations, stage);
        activations = requantise(convolve_int8(activations, stage.filters, stage.geometry),
                                 stage.requantisation);
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
