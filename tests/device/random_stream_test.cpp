#include "imcosim/device/random_stream.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace imcosim::device {
namespace {

TEST(RandomStream, DerivedSeedsAreDistinctBelowTwoToThe53AndPure) {
  std::set<std::uint64_t> seeds;
  for (std::uint64_t index = 0; index < 10000; ++index) {
    const auto seed = derive_seed(42, index);
    EXPECT_LT(seed, seed_limit);
    EXPECT_EQ(seed, derive_seed(42, index));
    seeds.insert(seed);
  }
  EXPECT_EQ(seeds.size(), 10000U);
  EXPECT_NE(derive_seed(42, 0), derive_seed(43, 0));
}

TEST(RandomStream, EngineIsTheStandardsMersenneTwister) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64.
  std::mt19937_64 reference;
  reference.discard(9999);
  EXPECT_EQ(reference(), 9981545732273789042ULL);
  // Transforms use the top 53 bits of each word.
  RandomStream stream(5489);
  std::mt19937_64 engine(5489);
  EXPECT_EQ(stream.uniform01(), static_cast<double>(engine() >> 11U) / 9007199254740992.0);
}

TEST(RandomStream, UniformAndNormalMomentsMatch) {
  RandomStream stream(2024);
  constexpr int count = 200000;
  double sum = 0.0;
  double squares = 0.0;
  double uniform_sum = 0.0;
  for (int n = 0; n < count; ++n) {
    const double z = stream.standard_normal();
    sum += z;
    squares += z * z;
    const double u = stream.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    uniform_sum += u;
  }
  // Bounds are five standard errors.
  EXPECT_NEAR(sum / count, 0.0, 5.0 / std::sqrt(count));
  EXPECT_NEAR(squares / count, 1.0, 5.0 * std::sqrt(2.0 / count));
  EXPECT_NEAR(uniform_sum / count, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / count));
}

TEST(RandomStream, IndexCoversTheRangeEvenly) {
  RandomStream stream(7);
  std::array<int, 5> counts{};
  constexpr int draws = 50000;
  for (int n = 0; n < draws; ++n) {
    const auto index = stream.index(counts.size());
    ASSERT_LT(index, counts.size());
    ++counts[index];
  }
  for (const int count : counts) {
    EXPECT_NEAR(count, draws / 5.0, 5.0 * std::sqrt(draws * 0.2 * 0.8));
  }
}

}  // namespace
}  // namespace imcosim::device
