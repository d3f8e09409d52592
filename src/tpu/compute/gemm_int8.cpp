#include <string>
#include <vector>

#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/functional.hpp"
#include "operand_checks.hpp"

namespace imcosim::tpu {

namespace {

// Below this many multiply-accumulates a thread team costs more than it saves.
constexpr std::size_t parallel_threshold_macs = std::size_t{1} << 18;

// Operands are widened to int16 first: the int16 x int16 -> int32 multiply-add (pmaddwd) then
// vectorises without per-element sign extension. Every int8 product, even -128 * -128, is exact.
std::vector<std::int16_t> widen(const std::vector<std::int8_t>& values) {
  return {values.begin(), values.end()};
}

std::int32_t dot_int16(const std::int16_t* a, const std::int16_t* b, std::size_t length) noexcept {
  std::int32_t sum = 0;
#pragma omp simd reduction(+ : sum)
  for (std::size_t k = 0; k < length; ++k) {
    sum += std::int32_t{a[k]} * std::int32_t{b[k]};
  }
  return sum;
}

void check_window(std::size_t window) {
  if (static_cast<std::int64_t>(window) > max_exact_window) {
    throw TpuError("window of " + std::to_string(window) + " elements exceeds " +
                   std::to_string(max_exact_window) +
                   ", beyond which an int32 accumulator can overflow");
  }
}

}  // namespace

Int32Matrix multiply_int8(const Int8Matrix& a, const Int8Matrix& b_transposed) {
  if (a.cols() != b_transposed.cols()) {
    throw TpuError("GEMM operands do not chain: A is " + std::to_string(a.rows()) + " x " +
                   std::to_string(a.cols()) + " but B (stored transposed) is " +
                   std::to_string(b_transposed.cols()) + " x " +
                   std::to_string(b_transposed.rows()));
  }
  check_window(a.cols());
  const std::size_t rows = a.rows();
  const std::size_t cols = b_transposed.rows();
  const std::size_t depth = a.cols();
  const auto a_wide = widen(a.values());
  const auto b_wide = widen(b_transposed.values());
  Int32Matrix product(rows, cols);
  const bool parallel = rows * cols * depth >= parallel_threshold_macs;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) {
      product(i, j) = dot_int16(a_wide.data() + i * depth, b_wide.data() + j * depth, depth);
    }
  }
  return product;
}

Int32FeatureMap convolve_int8(const Int8FeatureMap& input, const FilterBank& filters,
                              const ConvGeometry& geometry) {
  if (input.channels() != filters.channels()) {
    throw TpuError("the input has " + std::to_string(input.channels()) +
                   " channels but the filters expect " + std::to_string(filters.channels()));
  }
  check_window(filters.window_size());
  const std::size_t out_height = conv_output_extent(
      input.height(), filters.height(), geometry.stride_height, geometry.padding_height, "height");
  const std::size_t out_width = conv_output_extent(
      input.width(), filters.width(), geometry.stride_width, geometry.padding_width, "width");
  const auto lowered =
      widen(lower_ifmap(input, filters.height(), filters.width(), geometry).values());
  const auto weights = widen(filters.values());
  Int32FeatureMap output(out_height, out_width, filters.count());
  const std::size_t pixels = out_height * out_width;
  const std::size_t window = filters.window_size();
  const bool parallel = pixels * filters.count() * window >= parallel_threshold_macs;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::size_t pixel = 0; pixel < pixels; ++pixel) {
    const std::size_t oy = pixel / out_width;
    const std::size_t ox = pixel % out_width;
    for (std::size_t n = 0; n < filters.count(); ++n) {
      output(oy, ox, n) =
          dot_int16(lowered.data() + pixel * window, weights.data() + n * window, window);
    }
  }
  return output;
}

}  // namespace imcosim::tpu
