#include <algorithm>
#include <string>
#include <vector>

#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/functional.hpp"
#include "operand_checks.hpp"
#include "window_runs.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace imcosim::tpu {

namespace {

// Below this many multiply-accumulates a thread team costs more than it saves.
constexpr std::size_t parallel_threshold_macs = std::size_t{1} << 18;
// Rows of A one thread takes at a time.
constexpr std::size_t rows_per_task = 64;

// The kernel's operands are int16 (every int8 product, even -128 * -128, is exact, and the
// int16 x int16 -> int32 multiply-add pmaddwd needs no per-element sign extension), in rows
// zero-padded to a multiple of one SSE2 register, so no row has a scalar remainder.
constexpr std::size_t depth_step = 8;

std::size_t padded_depth(std::size_t depth) {
  return (depth + depth_step - 1) / depth_step * depth_step;
}

std::vector<std::int16_t> widen_rows(const std::int8_t* values, std::size_t rows, std::size_t depth,
                                     std::size_t padded) {
  std::vector<std::int16_t> wide(rows * padded);
  for (std::size_t r = 0; r < rows; ++r) {
    std::copy_n(values + r * depth, depth, wide.data() + r * padded);
  }
  return wide;
}

// c[m][n] = sum_k a[m][k] b[n][k] for the rows m in [first, last) of a; a and b hold rows of
// `depth` int16 values (a multiple of depth_step), c rows of `cols` int32 values.
void multiply_rows(const std::int16_t* a, std::size_t first, std::size_t last,
                   const std::int16_t* b, std::size_t cols, std::size_t depth,
                   std::int32_t* c) noexcept {
  std::size_t n = 0;
#if defined(__SSE2__)
  // Four columns at a time: one load of a row of a feeds four multiply-adds, and the four
  // accumulators are transposed and summed into one register of results.
  const auto load = [](const std::int16_t* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  };
  for (; n + 4 <= cols; n += 4) {
    const std::int16_t* b0 = b + n * depth;
    const std::int16_t* b1 = b0 + depth;
    const std::int16_t* b2 = b1 + depth;
    const std::int16_t* b3 = b2 + depth;
    for (std::size_t m = first; m < last; ++m) {
      const std::int16_t* x = a + m * depth;
      __m128i s0 = _mm_setzero_si128();
      __m128i s1 = s0;
      __m128i s2 = s0;
      __m128i s3 = s0;
      for (std::size_t k = 0; k < depth; k += depth_step) {
        const __m128i xk = load(x + k);
        s0 = _mm_add_epi32(s0, _mm_madd_epi16(xk, load(b0 + k)));
        s1 = _mm_add_epi32(s1, _mm_madd_epi16(xk, load(b1 + k)));
        s2 = _mm_add_epi32(s2, _mm_madd_epi16(xk, load(b2 + k)));
        s3 = _mm_add_epi32(s3, _mm_madd_epi16(xk, load(b3 + k)));
      }
      const __m128i low01 = _mm_unpacklo_epi32(s0, s1);
      const __m128i high01 = _mm_unpackhi_epi32(s0, s1);
      const __m128i low23 = _mm_unpacklo_epi32(s2, s3);
      const __m128i high23 = _mm_unpackhi_epi32(s2, s3);
      const __m128i sums = _mm_add_epi32(
          _mm_add_epi32(_mm_unpacklo_epi64(low01, low23), _mm_unpackhi_epi64(low01, low23)),
          _mm_add_epi32(_mm_unpacklo_epi64(high01, high23), _mm_unpackhi_epi64(high01, high23)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(c + m * cols + n), sums);
    }
  }
#endif
  for (; n < cols; ++n) {
    for (std::size_t m = first; m < last; ++m) {
      const std::int16_t* x = a + m * depth;
      const std::int16_t* y = b + n * depth;
      std::int32_t sum = 0;
#pragma omp simd reduction(+ : sum)
      for (std::size_t k = 0; k < depth; ++k) {
        sum += std::int32_t{x[k]} * std::int32_t{y[k]};
      }
      c[m * cols + n] = sum;
    }
  }
}

// c = a b^T over all rows of a, in tasks of rows_per_task rows on the OpenMP threads when the
// product is large enough.
std::vector<std::int32_t> multiply_padded(const std::vector<std::int16_t>& a, std::size_t rows,
                                          const std::vector<std::int16_t>& b, std::size_t cols,
                                          std::size_t depth, std::size_t macs) {
  std::vector<std::int32_t> c(rows * cols);
  const std::size_t tasks = (rows + rows_per_task - 1) / rows_per_task;
  const bool parallel = macs >= parallel_threshold_macs;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::size_t task = 0; task < tasks; ++task) {
    multiply_rows(a.data(), task * rows_per_task, std::min(rows, (task + 1) * rows_per_task),
                  b.data(), cols, depth, c.data());
  }
  return c;
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
  const std::size_t depth = padded_depth(a.cols());
  const auto a_wide = widen_rows(a.values().data(), a.rows(), a.cols(), depth);
  const auto b_wide =
      widen_rows(b_transposed.values().data(), b_transposed.rows(), a.cols(), depth);
  return {a.rows(), b_transposed.rows(),
          multiply_padded(a_wide, a.rows(), b_wide, b_transposed.rows(), depth,
                          a.rows() * b_transposed.rows() * a.cols())};
}

Int32FeatureMap convolve_int8(const Int8FeatureMap& input, const FilterBank& filters,
                              const ConvGeometry& geometry) {
  if (input.channels() != filters.channels()) {
    throw TpuError("the input has " + std::to_string(input.channels()) +
                   " channels but the filters expect " + std::to_string(filters.channels()));
  }
  const std::size_t window = filters.window_size();
  check_window(window);
  const std::size_t out_height = conv_output_extent(
      input.height(), filters.height(), geometry.stride_height, geometry.padding_height, "height");
  const std::size_t out_width = conv_output_extent(
      input.width(), filters.width(), geometry.stride_width, geometry.padding_width, "width");
  // im2col straight into the kernel's padded int16 rows.
  const std::size_t pixels = out_height * out_width;
  const std::size_t depth = padded_depth(window);
  std::vector<std::int16_t> lowered(pixels * depth);
  const std::int8_t* values = input.values().data();
  detail::for_each_window_run(
      input, filters.height(), filters.width(), geometry, out_height, out_width,
      [&](std::size_t pixel, std::size_t offset, std::size_t from, std::size_t length) {
        std::copy_n(values + from, length, lowered.data() + pixel * depth + offset);
      });
  const auto weights = widen_rows(filters.values().data(), filters.count(), window, depth);
  return {out_height, out_width, filters.count(),
          multiply_padded(lowered, pixels, weights, filters.count(), depth,
                          pixels * filters.count() * window)};
}

}  // namespace imcosim::tpu
