#pragma once

#include "imcosim/tpu/dataflow.hpp"

namespace imcosim::tpu {

// Each PE owns one output: ofmap pixels along the rows, filters along the columns, the window
// streamed in from the left (inputs) and the top (weights) with a one-cycle skew per PE.
class OutputStationary final : public Dataflow {
 public:
  [[nodiscard]] DataflowKind kind() const noexcept override {
    return DataflowKind::output_stationary;
  }
  [[nodiscard]] SpatioTemporalDims map(const GemmShape& gemm) const noexcept override;
  [[nodiscard]] std::int64_t fold_cycles(ArrayShape array,
                                         const SpatioTemporalDims& dims) const noexcept override;
  [[nodiscard]] std::int64_t utilisation_cycles(
      ArrayShape array, const SpatioTemporalDims& dims) const noexcept override;
  [[nodiscard]] SramAccessCounts fold_sram_accesses(
      FoldExtent fold, const SpatioTemporalDims& dims) const noexcept override;
  [[nodiscard]] CycleLevelResult simulate(const Int8Matrix& ifmap_operand,
                                          const Int8Matrix& filter_operand,
                                          ArrayShape array) const override;
};

}  // namespace imcosim::tpu
