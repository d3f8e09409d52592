#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cpu_features.hpp"
#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/functional.hpp"
#include "operand_checks.hpp"

#if IMCOSIM_X86_DISPATCH
#include <immintrin.h>
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
// `depth` int16 values (a multiple of depth_step), c rows of `cols` int32 values. The portable
// body, for processors without AVX2 (the compiler vectorises the sum).
void multiply_rows_scalar(const std::int16_t* a, std::size_t first, std::size_t last,
                          const std::int16_t* b, std::size_t cols, std::size_t depth,
                          std::int32_t* c) noexcept {
  for (std::size_t n = 0; n < cols; ++n) {
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

#if IMCOSIM_X86_DISPATCH
// The sum of the four int32 lanes of each of s0..s3, as the lanes of one register.
inline __m128i sum_lanes(__m128i s0, __m128i s1, __m128i s2, __m128i s3) noexcept {
  const __m128i low01 = _mm_unpacklo_epi32(s0, s1);
  const __m128i high01 = _mm_unpackhi_epi32(s0, s1);
  const __m128i low23 = _mm_unpacklo_epi32(s2, s3);
  const __m128i high23 = _mm_unpackhi_epi32(s2, s3);
  return _mm_add_epi32(
      _mm_add_epi32(_mm_unpacklo_epi64(low01, low23), _mm_unpackhi_epi64(low01, low23)),
      _mm_add_epi32(_mm_unpacklo_epi64(high01, high23), _mm_unpackhi_epi64(high01, high23)));
}

inline __m128i load128(const std::int16_t* p) noexcept {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

IMCOSIM_TARGET_AVX2 inline __m256i load(const std::int16_t* p) noexcept {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Eight int16 values in the low half, zeros in the high half.
IMCOSIM_TARGET_AVX2 inline __m256i half(const std::int16_t* p) noexcept {
  return _mm256_zextsi128_si256(load128(p));
}

// The two 128-bit halves added.
IMCOSIM_TARGET_AVX2 inline __m128i fold(__m256i s) noexcept {
  return _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
}

// AVX2: four columns at a time, one load of a row of a feeds four multiply-adds (vpmaddwd:
// 16 products int16 x int16 -> int32, pairwise summed), the last 8 of a row (the depth is a
// multiple of 8, not of 16) in the low half; the columns left over one at a time.
IMCOSIM_TARGET_AVX2 void multiply_rows_avx2(const std::int16_t* a, std::size_t first,
                                            std::size_t last, const std::int16_t* b,
                                            std::size_t cols, std::size_t depth,
                                            std::int32_t* c) noexcept {
  const std::size_t wide_depth = depth / 16 * 16;
  std::size_t n = 0;
  for (; n + 4 <= cols; n += 4) {
    const std::int16_t* b0 = b + n * depth;
    const std::int16_t* b1 = b0 + depth;
    const std::int16_t* b2 = b1 + depth;
    const std::int16_t* b3 = b2 + depth;
    for (std::size_t m = first; m < last; ++m) {
      const std::int16_t* x = a + m * depth;
      __m256i s0 = _mm256_setzero_si256();
      __m256i s1 = s0;
      __m256i s2 = s0;
      __m256i s3 = s0;
      std::size_t k = 0;
      for (; k < wide_depth; k += 16) {
        const __m256i xk = load(x + k);
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(xk, load(b0 + k)));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(xk, load(b1 + k)));
        s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(xk, load(b2 + k)));
        s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(xk, load(b3 + k)));
      }
      if (k < depth) {
        const __m256i xk = half(x + k);
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(xk, half(b0 + k)));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(xk, half(b1 + k)));
        s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(xk, half(b2 + k)));
        s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(xk, half(b3 + k)));
      }
      _mm_storeu_si128(reinterpret_cast<__m128i*>(c + m * cols + n),
                       sum_lanes(fold(s0), fold(s1), fold(s2), fold(s3)));
    }
  }
  for (; n < cols; ++n) {
    const std::int16_t* y = b + n * depth;
    for (std::size_t m = first; m < last; ++m) {
      const std::int16_t* x = a + m * depth;
      __m256i s = _mm256_setzero_si256();
      std::size_t k = 0;
      for (; k < wide_depth; k += 16) {
        s = _mm256_add_epi32(s, _mm256_madd_epi16(load(x + k), load(y + k)));
      }
      if (k < depth) {
        s = _mm256_add_epi32(s, _mm256_madd_epi16(half(x + k), half(y + k)));
      }
      const __m128i folded = fold(s);
      c[m * cols + n] = _mm_cvtsi128_si32(sum_lanes(folded, folded, folded, folded));
    }
  }
}
#endif

void multiply_rows(const std::int16_t* a, std::size_t first, std::size_t last,
                   const std::int16_t* b, std::size_t cols, std::size_t depth,
                   std::int32_t* c) noexcept {
#if IMCOSIM_X86_DISPATCH
  if (detail::has_avx2()) {
    multiply_rows_avx2(a, first, last, b, cols, depth, c);
    return;
  }
#endif
  multiply_rows_scalar(a, first, last, b, cols, depth, c);
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

// im2col into rows of `depth` int16 values, zero beyond the window. The input is first copied
// into a zero-bordered int16 image of the rows and columns the windows reach, so that each
// filter row of each window is one contiguous run, copied in whole blocks of one SSE2 register
// with no test for the padding: a block that runs past its filter row lands where the next
// row's copy overwrites it, past the last row where the zeroing below does; both buffers have
// one block of slack at their ends.
std::vector<std::int16_t> lower_into_rows(const Int8FeatureMap& input, std::size_t filter_height,
                                          std::size_t filter_width, const ConvGeometry& geometry,
                                          std::size_t out_height, std::size_t out_width,
                                          std::size_t depth) {
  constexpr std::size_t block = depth_step;
  const std::size_t channels = input.channels();
  const std::size_t image_height = (out_height - 1) * geometry.stride_height + filter_height;
  const std::size_t image_width = (out_width - 1) * geometry.stride_width + filter_width;
  std::vector<std::int16_t> image(image_height * image_width * channels + block);
  const std::size_t first_column = std::min(geometry.padding_width, image_width);
  const std::size_t end_column = std::min(image_width, input.width() + geometry.padding_width);
  const std::int8_t* values = input.values().data();
  for (std::size_t y = geometry.padding_height;
       y < std::min(image_height, input.height() + geometry.padding_height); ++y) {
    if (end_column > first_column) {
      std::copy_n(values + (y - geometry.padding_height) * input.width() * channels,
                  (end_column - first_column) * channels,
                  image.data() + (y * image_width + first_column) * channels);
    }
  }
  const std::size_t run = filter_width * channels;
  const std::size_t window = filter_height * run;
  std::vector<std::int16_t> lowered(out_height * out_width * depth + block);
  for (std::size_t oy = 0; oy < out_height; ++oy) {
    for (std::size_t ox = 0; ox < out_width; ++ox) {
      std::int16_t* row = lowered.data() + (oy * out_width + ox) * depth;
      for (std::size_t fy = 0; fy < filter_height; ++fy) {
        const std::int16_t* from =
            image.data() +
            ((oy * geometry.stride_height + fy) * image_width + ox * geometry.stride_width) *
                channels;
        std::int16_t* to = row + fy * run;
        for (std::size_t k = 0; k < run; k += block) {
          std::memcpy(to + k, from + k, block * sizeof(std::int16_t));
        }
      }
      std::fill(row + window, row + depth, std::int16_t{0});
    }
  }
  return lowered;
}

void check_window(std::size_t window) {
  if (static_cast<std::int64_t>(window) > max_exact_window) {
    throw TpuError("window of " + std::to_string(window) + " elements exceeds " +
                   std::to_string(max_exact_window) +
                   ", beyond which an int32 accumulator can overflow");
  }
}

}  // namespace

void use_vector_kernels(bool enabled) noexcept {
  detail::vector_kernels_enabled().store(enabled, std::memory_order_relaxed);
}

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
  const std::size_t pixels = out_height * out_width;
  const std::size_t depth = padded_depth(window);
  const auto lowered = lower_into_rows(input, filters.height(), filters.width(), geometry,
                                       out_height, out_width, depth);
  const auto weights = widen_rows(filters.values().data(), filters.count(), window, depth);
  return {out_height, out_width, filters.count(),
          multiply_padded(lowered, pixels, weights, filters.count(), depth,
                          pixels * filters.count() * window)};
}

}  // namespace imcosim::tpu
