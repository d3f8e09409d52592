#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/dataflow.hpp"
#include "imcosim/tpu/functional.hpp"
#include "imcosim/tpu/layer_timing.hpp"
#include "imcosim/tpu/memory_traffic.hpp"
#include "imcosim/tpu/tensor.hpp"
#include "imcosim/tpu/topology.hpp"

namespace imcosim::tpu {

// One convolution layer of a network with its int8 weights and output requantisation.
struct ConvStage {
  ConvStage() = default;
  ConvStage(std::string name_, FilterBank filters_, ConvGeometry geometry_,
            Requantisation requantisation_)
      : name(std::move(name_)),
        filters(std::move(filters_)),
        geometry(geometry_),
        requantisation(requantisation_) {}

  std::string name;
  FilterBank filters;  // with groups > 1: filters.channels() = input channels / groups
  ConvGeometry geometry;
  Requantisation requantisation;  // every output channel, unless channel_requantisation is set
  // Optional: one rule per output channel (per-channel weight scales).
  std::vector<Requantisation> channel_requantisation;
  // Optional: an int32 bias per output channel, added to the accumulators before requantising.
  std::vector<std::int32_t> bias;
  // Channel groups: filter n sees input channels [g C/groups, (g+1) C/groups) of its group
  // g = n / (filters / groups); groups = channels = filters is a depthwise convolution, which
  // the array runs one group at a time.
  std::size_t groups = 1;
};

// The stage's output stage: bias, then the per-channel (or shared) requantisation.
Int8FeatureMap requantise_stage(const Int32FeatureMap& accumulators, const ConvStage& stage);

enum class ExecutionMode {
  fast,         // direct int8 GEMM (OpenMP); bit-identical to the array
  cycle_level,  // operands moved through the PEs register by register
};

struct ConvStageResult {
  ConvLayer layer;  // the layer as SCALE-Sim sees it: padded ifmap, stride, filters
  LayerTiming timing;
  Int32FeatureMap accumulators;
  Int8FeatureMap activations;  // requantised accumulators, the next layer's input
  // Filled in cycle_level mode only: what the register-level model measured.
  std::int64_t simulated_busy_cycles = 0;
};

// A layer's timing and memory traffic as written to the reports.
struct LayerReport {
  ConvLayer layer;
  LayerTiming timing;
  DramTraffic dram;
};

// The behavioural TPU: an R x C int8 systolic array running one dataflow.
class TpuModel {
 public:
  TpuModel(ArrayShape array, DataflowKind dataflow);

  [[nodiscard]] ArrayShape array() const noexcept { return array_; }
  [[nodiscard]] const Dataflow& dataflow() const noexcept { return *dataflow_; }

  [[nodiscard]] LayerTiming analyse(const ConvLayer& layer) const;

  [[nodiscard]] ConvStageResult run_conv(const Int8FeatureMap& input, const ConvStage& stage,
                                         ExecutionMode mode) const;

  // Runs the stages in order, each on the previous stage's requantised output.
  [[nodiscard]] std::vector<ConvStageResult> run_network(const Int8FeatureMap& input,
                                                         const std::vector<ConvStage>& stages,
                                                         ExecutionMode mode) const;

  // The fast path over many images, parallel over images with OpenMP: each image's final
  // activations, in input order. Timings do not depend on values; get them from run_network.
  [[nodiscard]] std::vector<Int8FeatureMap> run_batch(const std::vector<Int8FeatureMap>& images,
                                                      const std::vector<ConvStage>& stages) const;

 private:
  ArrayShape array_;
  std::shared_ptr<const Dataflow> dataflow_;
};

// The SCALE-Sim layer a functional convolution corresponds to: its ifmap is the padded input
// trimmed to the rows and columns the windows reach. For a grouped convolution it is one group's
// layer (SCALE-Sim runs a depthwise layer as one such layer per channel).
ConvLayer conv_layer_for(const Int8FeatureMap& input, const ConvStage& stage);

// Every layer of a topology under a SCALE-Sim architecture config.
std::vector<LayerReport> simulate_topology(const Topology& topology,
                                           const ArchitectureConfig& config);

}  // namespace imcosim::tpu
