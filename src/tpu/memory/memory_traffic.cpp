#include "imcosim/tpu/memory_traffic.hpp"

#include <algorithm>
#include <string>

#include "imcosim/tpu/error.hpp"

namespace imcosim::tpu {

namespace {

constexpr std::int64_t bytes_per_kib = 1024;

// Double buffering: one half of each SRAM serves the array while the other half fills.
std::int64_t active_buffer_words(std::int64_t sram_kib) noexcept {
  return sram_kib * bytes_per_kib / 2;
}

// Folds run column folds outer, row folds inner, so the operand whose tile follows the row fold
// is swept once per column fold unless it stays resident.
std::int64_t swept_operand_reads(std::int64_t footprint_words, std::int64_t capacity_words,
                                 std::int64_t col_folds, const ConvLayer& layer) {
  if (footprint_words <= capacity_words) {
    return footprint_words;
  }
  std::int64_t reads = 0;
  if (__builtin_mul_overflow(footprint_words, col_folds, &reads)) {
    throw TpuError("layer '" + layer.name + "': " + std::to_string(footprint_words) +
                   " words read " + std::to_string(col_folds) +
                   " times exceed the model's 64-bit DRAM counters");
  }
  return reads;
}

double per_cycle(std::int64_t words, std::int64_t cycles) noexcept {
  return static_cast<double>(words) / static_cast<double>(std::max<std::int64_t>(cycles, 1));
}

}  // namespace

DramTraffic estimate_dram_traffic(const ConvLayer& layer, const LayerTiming& timing,
                                  const ArchitectureConfig& config) {
  const std::int64_t ifmap_words = layer.ifmap_height * layer.ifmap_width * layer.channels;
  const std::int64_t filter_words = layer.window_size() * layer.num_filters;
  const std::int64_t ofmap_words = layer.ofmap_pixels() * layer.num_filters;
  const std::int64_t ifmap_capacity = active_buffer_words(config.ifmap_sram_kib);
  const std::int64_t filter_capacity = active_buffer_words(config.filter_sram_kib);
  const std::int64_t ofmap_capacity = active_buffer_words(config.ofmap_sram_kib);

  DramTraffic traffic;
  switch (config.dataflow) {
    case DataflowKind::output_stationary:
    case DataflowKind::weight_stationary:
      traffic.ifmap_reads =
          swept_operand_reads(ifmap_words, ifmap_capacity, timing.col_folds, layer);
      traffic.filter_reads = filter_words;
      break;
    case DataflowKind::input_stationary:
      traffic.ifmap_reads = ifmap_words;
      traffic.filter_reads =
          swept_operand_reads(filter_words, filter_capacity, timing.col_folds, layer);
      break;
  }

  // Weight- and input-stationary write one partial sum per row fold; they reach DRAM only when
  // one column fold's partial sums do not fit the active ofmap buffer.
  const std::int64_t partial_sum_tile_words =
      timing.dims.temporal * std::min(config.array.cols, timing.dims.spatial_cols);
  const bool partial_sums_spill = config.dataflow != DataflowKind::output_stationary &&
                                  timing.row_folds > 1 && partial_sum_tile_words > ofmap_capacity;
  traffic.ofmap_writes = partial_sums_spill ? timing.sram.ofmap_writes : ofmap_words;

  traffic.ifmap_bandwidth_words_per_cycle = per_cycle(traffic.ifmap_reads, timing.busy_cycles);
  traffic.filter_bandwidth_words_per_cycle = per_cycle(traffic.filter_reads, timing.busy_cycles);
  traffic.ofmap_bandwidth_words_per_cycle = per_cycle(traffic.ofmap_writes, timing.busy_cycles);
  return traffic;
}

}  // namespace imcosim::tpu
