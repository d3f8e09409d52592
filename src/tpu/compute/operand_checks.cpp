#include "operand_checks.hpp"

#include <string>

#include "imcosim/tpu/error.hpp"

namespace imcosim::tpu::detail {

void check_gemm_operands(const Int8Matrix& ifmap_operand, const Int8Matrix& filter_operand) {
  if (ifmap_operand.rows() == 0 || ifmap_operand.cols() == 0 || filter_operand.cols() == 0) {
    throw TpuError("GEMM operands must not be empty");
  }
  if (ifmap_operand.cols() != filter_operand.rows()) {
    throw TpuError(
        "GEMM operands do not chain: the ifmap operand is " + std::to_string(ifmap_operand.rows()) +
        " x " + std::to_string(ifmap_operand.cols()) + " but the filter operand is " +
        std::to_string(filter_operand.rows()) + " x " + std::to_string(filter_operand.cols()));
  }
  if (static_cast<std::int64_t>(ifmap_operand.cols()) > max_exact_window) {
    throw TpuError("window of " + std::to_string(ifmap_operand.cols()) + " elements exceeds " +
                   std::to_string(max_exact_window) +
                   ", beyond which an int32 accumulator can overflow");
  }
}

}  // namespace imcosim::tpu::detail
