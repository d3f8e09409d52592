#pragma once

#include "imcosim/tpu/dataflow.hpp"

namespace imcosim::tpu::detail {

// Throws TpuError unless A (M x K) and B (K x N) chain, are non-empty, and K keeps int32 exact.
void check_gemm_operands(const Int8Matrix& ifmap_operand, const Int8Matrix& filter_operand);

// ceil(numerator / denominator) for positive operands.
constexpr std::int64_t ceil_div(std::int64_t numerator, std::int64_t denominator) noexcept {
  return (numerator + denominator - 1) / denominator;
}

}  // namespace imcosim::tpu::detail
