#include "output_stationary.hpp"

#include <algorithm>
#include <vector>

#include "operand_checks.hpp"

namespace imcosim::tpu {

namespace {

// One operand register of a PE: a value and whether it carries data or a bubble.
struct OperandRegister {
  std::int8_t value = 0;
  bool valid = false;
};

struct OutputStationaryPe {
  OperandRegister input;   // moves right one PE per cycle
  OperandRegister weight;  // moves down one PE per cycle
  std::int32_t accumulator = 0;
  std::int64_t macs_done = 0;
};

}  // namespace

SpatioTemporalDims OutputStationary::map(const GemmShape& gemm) const noexcept {
  return {gemm.ofmap_pixels, gemm.filters, gemm.window};
}

// The last PE (R-1, C-1) receives window element T-1 after T-1 + (R-1) + (C-1) cycles of skew.
std::int64_t OutputStationary::fold_cycles(ArrayShape array,
                                           const SpatioTemporalDims& dims) const noexcept {
  return dims.temporal + array.rows + array.cols - 2;
}

std::int64_t OutputStationary::utilisation_cycles(ArrayShape array,
                                                  const SpatioTemporalDims& dims) const noexcept {
  return fold_cycles(array, dims);
}

SramAccessCounts OutputStationary::fold_sram_accesses(
    FoldExtent fold, const SpatioTemporalDims& dims) const noexcept {
  return {dims.temporal * fold.rows_used, dims.temporal * fold.cols_used,
          fold.rows_used * fold.cols_used};
}

CycleLevelResult OutputStationary::simulate(const Int8Matrix& ifmap_operand,
                                            const Int8Matrix& filter_operand,
                                            ArrayShape array) const {
  validate_array_shape(array);
  detail::check_gemm_operands(ifmap_operand, filter_operand);
  const auto rows = static_cast<std::size_t>(array.rows);
  const auto cols = static_cast<std::size_t>(array.cols);
  const std::size_t pixels = ifmap_operand.rows();
  const std::size_t filters = filter_operand.cols();
  const std::size_t window = ifmap_operand.cols();
  const SpatioTemporalDims dims{static_cast<std::int64_t>(pixels),
                                static_cast<std::int64_t>(filters),
                                static_cast<std::int64_t>(window)};
  const auto cycles_per_fold = static_cast<std::size_t>(fold_cycles(array, dims));

  CycleLevelResult result{Int32Matrix(pixels, filters), 0, 0, 0};
  std::vector<OutputStationaryPe> pes(rows * cols);
  for (std::size_t col_start = 0; col_start < filters; col_start += cols) {
    for (std::size_t row_start = 0; row_start < pixels; row_start += rows) {
      const std::size_t rows_used = std::min(rows, pixels - row_start);
      const std::size_t cols_used = std::min(cols, filters - col_start);
      std::fill(pes.begin(), pes.end(), OutputStationaryPe{});
      for (std::size_t cycle = 0; cycle < cycles_per_fold; ++cycle) {
        // Bottom-right to top-left, so each PE still sees its neighbours' previous registers.
        for (std::size_t i = rows; i-- > 0;) {
          for (std::size_t j = cols; j-- > 0;) {
            auto& pe = pes[i * cols + j];
            if (j == 0) {
              // Row i of the fold is skewed by i cycles at the left edge.
              const bool feeding = i < rows_used && cycle >= i && cycle - i < window;
              pe.input = feeding ? OperandRegister{ifmap_operand(row_start + i, cycle - i), true}
                                 : OperandRegister{};
            } else {
              pe.input = pes[i * cols + j - 1].input;
            }
            if (i == 0) {
              const bool feeding = j < cols_used && cycle >= j && cycle - j < window;
              pe.weight = feeding ? OperandRegister{filter_operand(cycle - j, col_start + j), true}
                                  : OperandRegister{};
            } else {
              pe.weight = pes[(i - 1) * cols + j].weight;
            }
            if (pe.input.valid && pe.weight.valid) {
              pe.accumulator += std::int32_t{pe.input.value} * std::int32_t{pe.weight.value};
              ++pe.macs_done;
              ++result.mac_operations;
              if (pe.macs_done == dims.temporal) {
                result.outputs(row_start + i, col_start + j) = pe.accumulator;
                result.last_output_cycle = result.cycles_stepped + static_cast<std::int64_t>(cycle);
              }
            }
          }
        }
      }
      result.cycles_stepped += static_cast<std::int64_t>(cycles_per_fold);
    }
  }
  return result;
}

}  // namespace imcosim::tpu
