#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/tpu_model.hpp"

namespace imcosim::tpu {

// SCALE-Sim's COMPUTE_REPORT.csv: same header, one row per layer, trailing commas.
std::string format_compute_report(const std::vector<LayerReport>& layers);

// imcosim's own per-layer report: mapping, folds, cycles, time at `clock_mhz`, SRAM accesses
// and DRAM traffic.
std::string format_tpu_report(const std::vector<LayerReport>& layers,
                              const ArchitectureConfig& config, double clock_mhz);

}  // namespace imcosim::tpu
