#include "imcosim/device/random_stream.hpp"

#include <cmath>
#include <numbers>

namespace imcosim::device {

std::uint64_t splitmix64(std::uint64_t value) noexcept {
  std::uint64_t z = value + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index) noexcept {
  return splitmix64(splitmix64(seed) ^ splitmix64(index)) >> 11U;
}

double RandomStream::uniform01() {
  constexpr double two_to_minus_53 = 1.0 / 9007199254740992.0;
  return static_cast<double>(engine_() >> 11U) * two_to_minus_53;
}

double RandomStream::uniform(double low, double high) { return low + (high - low) * uniform01(); }

std::uint64_t RandomStream::index(std::uint64_t count) {
  // floor(u * count) with u on the 2^-53 grid: exact for count < 2^53, and the clamp guards the
  // rounding of the product at the top of the range.
  const auto scaled = static_cast<std::uint64_t>(uniform01() * static_cast<double>(count));
  return scaled < count ? scaled : count - 1;
}

double RandomStream::standard_normal() {
  // 1 - u lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform01()));
  const double angle = 2.0 * std::numbers::pi * uniform01();
  return radius * std::cos(angle);
}

}  // namespace imcosim::device
