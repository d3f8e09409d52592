#include "design_figures.hpp"

namespace imcosim::cosim {

namespace {

constexpr double pico = 1e-12;
constexpr double nano = 1e-9;
constexpr double square_micrometre = 1e-12;

// One stage on the array: SCALE-Sim's layer for its input, times its channel groups (a depthwise
// convolution runs one group after another).
LayerCost stage_cost(const tpu::ConvStage& stage, const nn::Shape& input, const tpu::TpuModel& tpu,
                     const tpu::ArchitectureConfig& array, const CostParameters& costs) {
  const tpu::Int8FeatureMap shape_only(input.height, input.width, input.channels);
  const tpu::ConvLayer layer = tpu::conv_layer_for(shape_only, stage);
  const tpu::LayerTiming timing = tpu.analyse(layer);
  const tpu::DramTraffic dram = tpu::estimate_dram_traffic(layer, timing, array);
  const auto groups = static_cast<std::int64_t>(stage.groups);
  LayerCost cost;
  cost.name = stage.name;
  cost.unit = "tpu";
  cost.cycles = timing.busy_cycles * groups;
  cost.latency_s = static_cast<double>(cost.cycles) / (costs.clock_mhz * 1e6);
  cost.macs = timing.mac_operations * groups;
  // One SCALE-Sim word is one byte of int8 operand.
  cost.sram_bytes =
      (timing.sram.ifmap_reads + timing.sram.filter_reads + timing.sram.ofmap_writes) * groups;
  cost.dram_bytes = dram.total_words() * groups;
  cost.energy_j = (static_cast<double>(cost.macs) * costs.mac_pj +
                   static_cast<double>(cost.sram_bytes) * costs.sram_pj_per_byte +
                   static_cast<double>(cost.dram_bytes) * costs.dram_pj_per_byte) *
                  pico;
  return cost;
}

// Input shape of every stage, in stage order: the convolutions, then the dense layers.
std::vector<nn::Shape> stage_inputs(const nn::HybridNetwork& network, bool with_dense) {
  const auto& layers = network.architecture().layers();
  const auto& shapes = network.architecture().shapes();
  std::vector<nn::Shape> inputs;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const bool tpu_part = l < network.architecture().split();
    if ((tpu_part && layers[l].kind == "conv2d") || (with_dense && layers[l].kind == "dense")) {
      inputs.push_back(layers[l].kind == "dense" ? nn::Shape{1, 1, shapes[l].size()} : shapes[l]);
    }
  }
  return inputs;
}

std::int64_t stage_weight_bytes(const tpu::ConvStage& stage) {
  // int8 weights, int32 biases.
  return static_cast<std::int64_t>(stage.filters.count() * stage.filters.window_size() +
                                   4 * stage.filters.count());
}

void add_tpu_layers(DesignFigures& figures, const std::vector<tpu::ConvStage>& stages,
                    const std::vector<nn::Shape>& inputs, std::size_t first_input,
                    const tpu::TpuModel& tpu, const tpu::ArchitectureConfig& array,
                    const CostParameters& costs) {
  for (std::size_t s = 0; s < stages.size(); ++s) {
    figures.layers.push_back(stage_cost(stages[s], inputs[first_input + s], tpu, array, costs));
    figures.weight_bytes += stage_weight_bytes(stages[s]);
  }
}

double tpu_area_m2(const tpu::ArchitectureConfig& array, const CostParameters& costs) {
  const auto pes = static_cast<double>(array.array.rows * array.array.cols);
  const auto sram_kib =
      static_cast<double>(array.ifmap_sram_kib + array.filter_sram_kib + array.ofmap_sram_kib);
  return (pes * costs.pe_um2 + sram_kib * costs.sram_um2_per_kib) * square_micrometre;
}

void total(DesignFigures& figures) {
  figures.latency_s = 0.0;
  figures.energy_j = 0.0;
  for (const auto& layer : figures.layers) {
    figures.latency_s += layer.latency_s;
    figures.energy_j += layer.energy_j;
  }
}

}  // namespace

DesignFigures tpu_only_figures(const nn::HybridNetwork& network, const nn::TpuProgram& program,
                               const tpu::TpuModel& tpu, const tpu::ArchitectureConfig& array,
                               const CostParameters& costs) {
  DesignFigures figures;
  const auto inputs = stage_inputs(network, true);
  add_tpu_layers(figures, program.conv_stages, inputs, 0, tpu, array, costs);
  add_tpu_layers(figures, program.dense_stages, inputs, program.conv_stages.size(), tpu, array,
                 costs);
  for (const auto& stage : program.dense_stages) {
    figures.fc_weights +=
        static_cast<std::int64_t>(stage.filters.count() * (stage.filters.window_size() + 1));
  }
  figures.bits_per_fc_weight = 8.0;
  figures.area_m2 = tpu_area_m2(array, costs);
  total(figures);
  return figures;
}

DesignFigures tpu_imac_figures(const nn::HybridNetwork& network, const nn::TpuProgram& program,
                               const tpu::TpuModel& tpu, const tpu::ArchitectureConfig& array,
                               const CostParameters& costs, const imac::ImacNetwork& circuit,
                               double imac_latency_s, double imac_power_watt) {
  DesignFigures figures;
  add_tpu_layers(figures, program.conv_stages, stage_inputs(network, false), 0, tpu, array, costs);
  const auto inputs = static_cast<double>(circuit.input_count());
  const auto outputs = static_cast<double>(circuit.output_count());
  // The DACs convert all inputs at once, the ADCs all outputs at once.
  figures.layers.push_back(
      {"DAC", "dac", 0, costs.dac_ns * nano, 0, 0, 0, inputs * costs.dac_pj * pico});
  LayerCost imac{"FC part", "imac", 0, imac_latency_s, 0, 0, 0, imac_power_watt * imac_latency_s};
  double opamps = 0.0;
  double neurons = 0.0;
  for (const auto& layer : circuit.layers()) {
    const auto partitions = static_cast<double>(layer.horizontal_partitions());
    const auto count = static_cast<double>(layer.neuron_count);
    // A difference amplifier per partition and neuron (behind two TIAs with TIA sensing), and a
    // summer per neuron when partial outputs are averaged.
    const double per_amplifier =
        circuit.parameters().sensing == imac::SensingScheme::tia ? 3.0 : 1.0;
    opamps += partitions * count * per_amplifier + (layer.summed() ? count : 0.0);
    neurons += count;
    figures.fc_weights += static_cast<std::int64_t>(layer.neuron_count * (layer.input_count + 1));
  }
  figures.layers.push_back(imac);
  figures.layers.push_back(
      {"ADC", "adc", 0, costs.adc_ns * nano, 0, 0, 0, outputs * costs.adc_pj * pico});
  // Each weight is a differential pair of two-state devices (binary and ternary weights, the
  // encodings hardware-aware training supports): two bits of cells per weight.
  figures.bits_per_fc_weight = 2.0;
  figures.area_m2 = tpu_area_m2(array, costs) + circuit.crossbar_area_m2() +
                    (opamps * costs.opamp_um2 + neurons * costs.neuron_um2 +
                     inputs * costs.dac_um2 + outputs * costs.adc_um2) *
                        square_micrometre;
  total(figures);
  return figures;
}

}  // namespace imcosim::cosim
