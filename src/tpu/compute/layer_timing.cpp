#include "imcosim/tpu/layer_timing.hpp"

#include <algorithm>

#include "operand_checks.hpp"

namespace imcosim::tpu {

GemmShape gemm_shape(const ConvLayer& layer) noexcept {
  return {layer.ofmap_pixels(), layer.num_filters, layer.window_size()};
}

LayerTiming analyse_layer(const ConvLayer& layer, ArrayShape array, const Dataflow& dataflow) {
  validate_array_shape(array);
  validate_layer(layer, "");

  // 1. Lower the convolution to a GEMM and map it onto the array.
  LayerTiming timing;
  timing.gemm = gemm_shape(layer);
  timing.dims = dataflow.map(timing.gemm);
  timing.row_folds = detail::ceil_div(timing.dims.spatial_rows, array.rows);
  timing.col_folds = detail::ceil_div(timing.dims.spatial_cols, array.cols);
  timing.cycles_per_fold = dataflow.fold_cycles(array, timing.dims);
  const std::int64_t utilisation_cycles = dataflow.utilisation_cycles(array, timing.dims);
  const std::int64_t pes = array.rows * array.cols;

  // 2. Walk the folds in SCALE-Sim's order; sum per-fold ratios in the same order it does so
  //    that the averages agree to the last bit.
  double mapping_efficiency_sum = 0.0;
  double compute_util_sum = 0.0;
  for (std::int64_t col_fold = 0; col_fold < timing.col_folds; ++col_fold) {
    for (std::int64_t row_fold = 0; row_fold < timing.row_folds; ++row_fold) {
      const FoldExtent fold{std::min(array.rows, timing.dims.spatial_rows - row_fold * array.rows),
                            std::min(array.cols, timing.dims.spatial_cols - col_fold * array.cols)};
      const std::int64_t macs_used = fold.rows_used * fold.cols_used;
      mapping_efficiency_sum += static_cast<double>(macs_used) / static_cast<double>(pes);
      compute_util_sum += static_cast<double>(macs_used * timing.dims.temporal) /
                          static_cast<double>(pes * utilisation_cycles);
      timing.sram += dataflow.fold_sram_accesses(fold, timing.dims);
    }
  }

  // 3. Totals: SCALE-Sim reports the 0-based cycle of the last ofmap write.
  const auto folds = static_cast<double>(timing.folds());
  timing.busy_cycles = timing.folds() * timing.cycles_per_fold;
  timing.total_cycles = timing.busy_cycles - 1;
  timing.mac_operations = layer.mac_operations();
  // A single-cycle layer (1 x 1 array, 1 x 1 x 1 GEMM) has Total Cycles 0, where SCALE-Sim
  // divides by zero; it is reported against one cycle instead.
  timing.overall_util_percent =
      static_cast<double>(timing.mac_operations * 100) /
      static_cast<double>(std::max<std::int64_t>(timing.total_cycles, 1) * pes);
  timing.mapping_efficiency_percent = mapping_efficiency_sum / folds * 100.0;
  timing.compute_util_percent = compute_util_sum / folds * 100.0;
  return timing;
}

}  // namespace imcosim::tpu
