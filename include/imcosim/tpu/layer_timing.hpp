#pragma once

#include <cstdint>

#include "imcosim/tpu/dataflow.hpp"
#include "imcosim/tpu/topology.hpp"

namespace imcosim::tpu {

// One layer's analytic cycle count and utilisation, equal to SCALE-Sim v2's COMPUTE_REPORT for a
// stall-free run, plus the SRAM accesses the folds make.
struct LayerTiming {
  GemmShape gemm;
  SpatioTemporalDims dims;
  std::int64_t row_folds = 0;
  std::int64_t col_folds = 0;
  std::int64_t cycles_per_fold = 0;
  // Sum of fold_cycles over all folds: cycles during which the array is busy.
  std::int64_t busy_cycles = 0;
  // SCALE-Sim's "Total Cycles": the 0-based cycle of the last output write, busy_cycles - 1.
  std::int64_t total_cycles = 0;
  std::int64_t stall_cycles = 0;
  // SCALE-Sim's num_compute: ofmap pixels * filters * window.
  std::int64_t mac_operations = 0;
  double overall_util_percent = 0.0;
  double mapping_efficiency_percent = 0.0;
  double compute_util_percent = 0.0;
  SramAccessCounts sram;

  [[nodiscard]] std::int64_t folds() const noexcept { return row_folds * col_folds; }
};

GemmShape gemm_shape(const ConvLayer& layer) noexcept;

// Walks the folds in SCALE-Sim's order (column folds outer, row folds inner) and accumulates
// per-fold mapping efficiency and compute utilisation exactly as SCALE-Sim averages them.
LayerTiming analyse_layer(const ConvLayer& layer, ArrayShape array, const Dataflow& dataflow);

}  // namespace imcosim::tpu
