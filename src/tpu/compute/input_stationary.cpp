#include "input_stationary.hpp"

#include <utility>

#include "operand_checks.hpp"
#include "stationary_array.hpp"

namespace imcosim::tpu {

SpatioTemporalDims InputStationary::map(const GemmShape& gemm) const noexcept {
  return {gemm.window, gemm.ofmap_pixels, gemm.filters};
}

// Same pipeline as weight-stationary with inputs held and filters streamed.
std::int64_t InputStationary::fold_cycles(ArrayShape array,
                                          const SpatioTemporalDims& dims) const noexcept {
  return 2 * array.rows + array.cols + dims.temporal - 2;
}

// SCALE-Sim divides by its ifmap demand rows plus the array width minus one.
std::int64_t InputStationary::utilisation_cycles(ArrayShape array,
                                                 const SpatioTemporalDims& dims) const noexcept {
  return fold_cycles(array, dims) + array.cols - 1;
}

SramAccessCounts InputStationary::fold_sram_accesses(
    FoldExtent fold, const SpatioTemporalDims& dims) const noexcept {
  return {fold.rows_used * fold.cols_used, dims.temporal * fold.rows_used,
          dims.temporal * fold.cols_used};
}

CycleLevelResult InputStationary::simulate(const Int8Matrix& ifmap_operand,
                                           const Int8Matrix& filter_operand,
                                           ArrayShape array) const {
  validate_array_shape(array);
  detail::check_gemm_operands(ifmap_operand, filter_operand);
  const SpatioTemporalDims dims{static_cast<std::int64_t>(ifmap_operand.cols()),
                                static_cast<std::int64_t>(ifmap_operand.rows()),
                                static_cast<std::int64_t>(filter_operand.cols())};
  // Held: the lowered inputs, window x pixels. Streamed: the filters, one per time step.
  auto run = detail::simulate_stationary_array(detail::transpose(filter_operand),
                                               detail::transpose(ifmap_operand), array,
                                               fold_cycles(array, dims));
  // The array produced filters x pixels; report pixels x filters like the other dataflows.
  Int32Matrix outputs(run.outputs.cols(), run.outputs.rows());
  for (std::size_t filter = 0; filter < run.outputs.rows(); ++filter) {
    for (std::size_t pixel = 0; pixel < run.outputs.cols(); ++pixel) {
      outputs(pixel, filter) = run.outputs(filter, pixel);
    }
  }
  run.outputs = std::move(outputs);
  return run;
}

}  // namespace imcosim::tpu
