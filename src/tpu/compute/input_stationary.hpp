#pragma once

#include "imcosim/tpu/dataflow.hpp"

namespace imcosim::tpu {

// Each PE holds one input: window elements along the rows, ofmap pixels along the columns; filters
// stream in from the left and partial sums flow down.
class InputStationary final : public Dataflow {
 public:
  [[nodiscard]] DataflowKind kind() const noexcept override {
    return DataflowKind::input_stationary;
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
