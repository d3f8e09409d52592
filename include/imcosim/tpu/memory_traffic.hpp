#pragma once

#include <cstdint>

#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/layer_timing.hpp"
#include "imcosim/tpu/topology.hpp"

namespace imcosim::tpu {

// DRAM traffic a stall-free run of one layer needs, in elements (one-byte words), under
// imcosim's double-buffered SRAM model (see docs/tpu.md): an operand whose whole footprint fits
// the active half of its SRAM is fetched once; otherwise it is fetched again on every sweep the
// fold order makes over it. Output partial sums stay in the ofmap SRAM while the active half
// holds one column fold of them, otherwise every partial-sum write goes to DRAM.
struct DramTraffic {
  std::int64_t ifmap_reads = 0;
  std::int64_t filter_reads = 0;
  std::int64_t ofmap_writes = 0;
  // Average DRAM words per cycle over the layer's Total Cycles that keeps the array stall-free.
  double ifmap_bandwidth_words_per_cycle = 0.0;
  double filter_bandwidth_words_per_cycle = 0.0;
  double ofmap_bandwidth_words_per_cycle = 0.0;

  [[nodiscard]] std::int64_t total_words() const noexcept {
    return ifmap_reads + filter_reads + ofmap_writes;
  }
};

DramTraffic estimate_dram_traffic(const ConvLayer& layer, const LayerTiming& timing,
                                  const ArchitectureConfig& config);

}  // namespace imcosim::tpu
