#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "cpu_features.hpp"
#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/functional.hpp"

#if IMCOSIM_X86_DISPATCH
#include <immintrin.h>
#endif

namespace imcosim::tpu {

namespace {

constexpr int max_right_shift = 62;
constexpr std::int64_t max_multiplier = (std::int64_t{1} << 31) - 1;

std::int8_t requantise_biased(std::int32_t accumulator, std::int32_t bias,
                              const Requantisation& rule) noexcept {
  const std::int64_t biased = std::int64_t{accumulator} + bias;
  return requantise(
      static_cast<std::int32_t>(std::clamp<std::int64_t>(biased, INT32_MIN, INT32_MAX)), rule);
}

#if IMCOSIM_X86_DISPATCH
IMCOSIM_TARGET_AVX2 inline __m256i clamp64(__m256i x, __m256i low, __m256i high) noexcept {
  x = _mm256_blendv_epi8(x, low, _mm256_cmpgt_epi64(low, x));
  return _mm256_blendv_epi8(x, high, _mm256_cmpgt_epi64(x, high));
}

// Positions at ... at + 3 of one field of `fields` (field-major, `period` positions per field).
IMCOSIM_TARGET_AVX2 inline __m256i load_lanes(const std::int64_t* fields, std::size_t period,
                                              std::size_t field, std::size_t at) noexcept {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(fields + field * period + at));
}

// Four accumulators per step in 64-bit lanes, the scalar rule's operations one for one: the sum
// with the bias saturated to int32, the signed 32 x 32 -> 64-bit product (vpmuldq), the
// magnitude's rounding offset and per-lane shift (vpsrlvq), the sign, the zero point, the clamp.
// The accumulators are taken as one flat sequence whose channel pattern repeats every
// lcm(channels, 4) elements, so any channel count fills whole registers; the last (fewer than
// four) elements take the scalar rule.
IMCOSIM_TARGET_AVX2 void requantise_channels_avx2(const std::int32_t* accumulators,
                                                  std::size_t pixels, std::size_t channels,
                                                  const std::int32_t* bias,
                                                  const Requantisation* rules, std::int8_t* codes) {
  const std::size_t period = std::lcm(channels, std::size_t{4});
  // Per position of the period, as 64-bit lanes: bias, multiplier, rounding offset, shift, zero
  // point, clamps.
  std::vector<std::int64_t> lanes(7 * period);
  for (std::size_t i = 0; i < period; ++i) {
    const std::size_t c = i % channels;
    const Requantisation& rule = rules[c];
    lanes[i] = bias[c];
    lanes[period + i] = rule.multiplier;
    lanes[2 * period + i] = rule.right_shift > 0 ? std::int64_t{1} << (rule.right_shift - 1) : 0;
    lanes[3 * period + i] = rule.right_shift;
    lanes[4 * period + i] = rule.zero_point;
    lanes[5 * period + i] = rule.clamp_low;
    lanes[6 * period + i] = rule.clamp_high;
  }
  const std::int64_t* fields = lanes.data();
  const __m256i int32_low = _mm256_set1_epi64x(INT32_MIN);
  const __m256i int32_high = _mm256_set1_epi64x(INT32_MAX);
  const __m256i zero = _mm256_setzero_si256();
  // The low 32 bits of each 64-bit lane, gathered into the low four 32-bit lanes.
  const __m256i low_words = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  const std::size_t total = pixels * channels;
  std::size_t i = 0;
  for (std::size_t at = 0; i + 4 <= total; i += 4, at = at + 4 == period ? 0 : at + 4) {
    __m256i x =
        _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(accumulators + i)));
    x = clamp64(_mm256_add_epi64(x, load_lanes(fields, period, 0, at)), int32_low, int32_high);
    const __m256i product = _mm256_mul_epi32(x, load_lanes(fields, period, 1, at));
    const __m256i negative = _mm256_cmpgt_epi64(zero, product);
    const __m256i magnitude = _mm256_srlv_epi64(
        _mm256_add_epi64(_mm256_sub_epi64(_mm256_xor_si256(product, negative), negative),
                         load_lanes(fields, period, 2, at)),
        load_lanes(fields, period, 3, at));
    const __m256i shifted =
        _mm256_add_epi64(load_lanes(fields, period, 4, at),
                         _mm256_sub_epi64(_mm256_xor_si256(magnitude, negative), negative));
    const __m256i clamped =
        clamp64(shifted, load_lanes(fields, period, 5, at), load_lanes(fields, period, 6, at));
    // Every lane is now in -128 ... 127, so the saturating packs are exact.
    const __m128i words = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(clamped, low_words));
    const __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(words, words), words);
    const int four = _mm_cvtsi128_si32(bytes);
    std::memcpy(codes + i, &four, 4);
  }
  for (; i < total; ++i) {
    const std::size_t c = i % channels;
    codes[i] = requantise_biased(accumulators[i], bias[c], rules[c]);
  }
}
#endif

}  // namespace

void requantise_channels(const std::int32_t* accumulators, std::size_t pixels, std::size_t channels,
                         const std::int32_t* bias, const Requantisation* rules,
                         std::int8_t* codes) {
#if IMCOSIM_X86_DISPATCH
  if (detail::has_avx2() && channels > 0) {
    requantise_channels_avx2(accumulators, pixels, channels, bias, rules, codes);
    return;
  }
#endif
  for (std::size_t p = 0; p < pixels; ++p) {
    for (std::size_t c = 0; c < channels; ++c) {
      codes[p * channels + c] =
          requantise_biased(accumulators[p * channels + c], bias[c], rules[c]);
    }
  }
}

void validate_requantisation(const Requantisation& rule) {
  if (rule.multiplier < 1 || rule.right_shift < 0 || rule.right_shift > max_right_shift) {
    throw TpuError("requantisation needs a multiplier >= 1 and a right shift in 0..62, got " +
                   std::to_string(rule.multiplier) + " and " + std::to_string(rule.right_shift));
  }
  if (rule.clamp_low < -128 || rule.clamp_low > rule.clamp_high || rule.clamp_high > 127) {
    throw TpuError("requantisation clamps must satisfy -128 <= low <= high <= 127, got " +
                   std::to_string(rule.clamp_low) + " and " + std::to_string(rule.clamp_high));
  }
}

Requantisation Requantisation::from_scale(double scale, std::int32_t zero_point) {
  if (!std::isfinite(scale) || scale <= 0.0) {
    throw TpuError("requantisation scale must be finite and > 0, got " + std::to_string(scale));
  }
  // The largest shift that keeps the multiplier within 31 bits gives the finest resolution.
  int shift = 0;
  while (shift < max_right_shift &&
         std::ldexp(scale, shift + 1) <= static_cast<double>(max_multiplier)) {
    ++shift;
  }
  const double multiplier = std::round(std::ldexp(scale, shift));
  if (multiplier < 1.0 || multiplier > static_cast<double>(max_multiplier)) {
    throw TpuError("requantisation scale " + std::to_string(scale) +
                   " cannot be written as a 31-bit multiplier and a right shift of 0..62");
  }
  return {static_cast<std::int32_t>(multiplier), shift, zero_point, -128, 127};
}

Int8FeatureMap requantise(const Int32FeatureMap& accumulators, const Requantisation& rule) {
  validate_requantisation(rule);
  std::vector<std::int8_t> values(accumulators.values().size());
  std::transform(accumulators.values().begin(), accumulators.values().end(), values.begin(),
                 [&rule](std::int32_t accumulator) { return requantise(accumulator, rule); });
  return {accumulators.height(), accumulators.width(), accumulators.channels(), std::move(values)};
}

}  // namespace imcosim::tpu
