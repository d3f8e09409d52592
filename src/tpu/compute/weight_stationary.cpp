#include "weight_stationary.hpp"

#include "operand_checks.hpp"
#include "stationary_array.hpp"

namespace imcosim::tpu {

SpatioTemporalDims WeightStationary::map(const GemmShape& gemm) const noexcept {
  return {gemm.window, gemm.filters, gemm.ofmap_pixels};
}

// R cycles to shift the weights in, then ofmap pixel T-1 enters the last row after R-1 cycles of
// skew and its sum leaves the bottom row C-1 columns later: R + (T + R - 1) + (C - 1).
std::int64_t WeightStationary::fold_cycles(ArrayShape array,
                                           const SpatioTemporalDims& dims) const noexcept {
  return 2 * array.rows + array.cols + dims.temporal - 2;
}

// SCALE-Sim divides by its filter demand rows plus the array width minus one.
std::int64_t WeightStationary::utilisation_cycles(ArrayShape array,
                                                  const SpatioTemporalDims& dims) const noexcept {
  return fold_cycles(array, dims) + array.cols - 1;
}

SramAccessCounts WeightStationary::fold_sram_accesses(
    FoldExtent fold, const SpatioTemporalDims& dims) const noexcept {
  return {dims.temporal * fold.rows_used, fold.rows_used * fold.cols_used,
          dims.temporal * fold.cols_used};
}

CycleLevelResult WeightStationary::simulate(const Int8Matrix& ifmap_operand,
                                            const Int8Matrix& filter_operand,
                                            ArrayShape array) const {
  validate_array_shape(array);
  detail::check_gemm_operands(ifmap_operand, filter_operand);
  const SpatioTemporalDims dims{static_cast<std::int64_t>(filter_operand.rows()),
                                static_cast<std::int64_t>(filter_operand.cols()),
                                static_cast<std::int64_t>(ifmap_operand.rows())};
  return detail::simulate_stationary_array(ifmap_operand, filter_operand, array,
                                           fold_cycles(array, dims));
}

}  // namespace imcosim::tpu
