#pragma once

// Portable random numbers for reproducible campaigns. std::mt19937_64 is specified bit for bit
// by the C++ standard, but the std::*_distribution adaptors are not (libstdc++ and libc++ give
// different normals from the same engine), so every transform here is written out from the
// 64-bit stream. Seeds are counter based: the seed of item `index` of a campaign is a pure
// function of (campaign seed, index), so any subset of items can be generated in any order, by
// any number of threads or processes, with identical results.

#include <cstdint>
#include <random>

namespace imcosim::device {

// SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijection of 64-bit words whose output
// bits each depend on every input bit.
[[nodiscard]] std::uint64_t splitmix64(std::uint64_t value) noexcept;

// Seeds are kept below 2^53 so that they are exact in float64 datasets and in every numeric
// consumer (numpy, JSON).
inline constexpr std::uint64_t seed_limit = std::uint64_t{1} << 53;

// Seed of item `index` derived from `seed`:
// splitmix64(splitmix64(seed) XOR splitmix64(index)) >> 11, in [0, 2^53).
[[nodiscard]] std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index) noexcept;

// One independent stream of variates from std::mt19937_64 seeded with `seed`.
class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed) : engine_(seed) {}

  // Uniform on [0, 1): the top 53 bits of one engine word, times 2^-53.
  [[nodiscard]] double uniform01();
  // Uniform on [low, high).
  [[nodiscard]] double uniform(double low, double high);
  // Uniform integer in [0, count), 1 <= count < 2^53: floor(uniform01() * count).
  [[nodiscard]] std::uint64_t index(std::uint64_t count);
  // Standard normal by the Box-Muller transform; always consumes exactly two engine words.
  [[nodiscard]] double standard_normal();

 private:
  std::mt19937_64 engine_;
};

}  // namespace imcosim::device
