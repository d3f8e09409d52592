#include "imcosim/tpu/layer_timing.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "imcosim/memory_budget.hpp"
#include "imcosim/tpu/error.hpp"
#include "operand_checks.hpp"

namespace imcosim::tpu {

namespace {

// The model walks a layer's folds one by one, as SCALE-Sim does (its averages are sums in fold
// order, to the last bit). A layer that would need more folds than this is refused rather than
// walked for minutes or years: about a second of work.
constexpr std::uint64_t max_folds = std::uint64_t{1} << 26;

void check_fold_count(const ConvLayer& layer, ArrayShape array, const LayerTiming& timing) {
  const std::uint64_t folds = saturating_product(
      {static_cast<std::uint64_t>(timing.row_folds), static_cast<std::uint64_t>(timing.col_folds)});
  if (folds > max_folds) {
    throw TpuError("layer '" + layer.name + "': " + std::to_string(timing.row_folds) + " x " +
                   std::to_string(timing.col_folds) + " folds of the " +
                   std::to_string(array.rows) + " x " + std::to_string(array.cols) +
                   " array; the model walks at most " + std::to_string(max_folds) +
                   " folds per layer (a larger array needs fewer)");
  }
}

}  // namespace

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
  check_fold_count(layer, array, timing);
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
      // Products in double: exact, as SCALE-Sim's Python integers are, wherever they stay below
      // 2^53, and no 64-bit overflow on large arrays and long layers.
      compute_util_sum += static_cast<double>(macs_used) *
                          static_cast<double>(timing.dims.temporal) /
                          (static_cast<double>(pes) * static_cast<double>(utilisation_cycles));
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
      (static_cast<double>(std::max<std::int64_t>(timing.total_cycles, 1)) *
       static_cast<double>(pes));
  timing.mapping_efficiency_percent = mapping_efficiency_sum / folds * 100.0;
  timing.compute_util_percent = compute_util_sum / folds * 100.0;
  return timing;
}

}  // namespace imcosim::tpu
