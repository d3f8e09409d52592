#include <algorithm>
#include <cmath>
#include <string>

#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/functional.hpp"

namespace imcosim::tpu {

namespace {

constexpr int max_right_shift = 62;
constexpr std::int64_t max_multiplier = (std::int64_t{1} << 31) - 1;

}  // namespace

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
