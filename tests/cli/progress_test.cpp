// The ETA of long runs (src/cli/progress_report.hpp), from recorded times instead of a clock.
#include <gtest/gtest.h>

#include "progress_report.hpp"

namespace imcosim::cli {
namespace {

constexpr double tolerance_s = 1e-9;

// A campaign of 1000 samples: the first block holds sample 0, run in ngspice (10 s with one
// fast sample); the next block of 99 fast samples takes 1 s. The 900 samples left take about
// 9 s; counted from the start (100 samples in 11 s) the estimate would be 99 s.
TEST(RateEstimate, ACampaignsFirstBlockDoesNotSetItsPace) {
  RateEstimate rate(RateFrom::first_update, 0);
  rate.record(1, 10.0);
  EXPECT_FALSE(rate.remaining_s(1000).has_value()) << "no pace is known after one block";
  rate.record(100, 11.0);
  ASSERT_TRUE(rate.remaining_s(1000).has_value());
  EXPECT_NEAR(*rate.rate_per_s(), 99.0, tolerance_s);
  EXPECT_NEAR(*rate.remaining_s(1000), 900.0 / 99.0, tolerance_s);
}

// A resumed campaign: the 500 samples of the earlier run count for neither rate nor time.
TEST(RateEstimate, SamplesOfAnEarlierRunDoNotCount) {
  RateEstimate rate(RateFrom::first_update, 500);
  rate.record(510, 4.0);
  rate.record(610, 5.0);
  EXPECT_NEAR(*rate.rate_per_s(), 100.0, tolerance_s);
  EXPECT_NEAR(*rate.remaining_s(1000), 3.9, tolerance_s);
}

// Parallel ngspice batches finish close together: counted from the start, two batches of 4
// samples done at 8 s and 8.01 s give 1 sample/s, not the 400/s between the two.
TEST(RateEstimate, ParallelBatchesCountFromTheStart) {
  RateEstimate rate(RateFrom::start, 0);
  rate.record(4, 8.0);
  EXPECT_NEAR(*rate.rate_per_s(), 0.5, tolerance_s);
  rate.record(8, 8.01);
  EXPECT_NEAR(*rate.remaining_s(16), 8.0 / (8.0 / 8.01), tolerance_s);
}

TEST(RateEstimate, NoRateWithoutProgress) {
  RateEstimate rate(RateFrom::start, 3);
  EXPECT_FALSE(rate.rate_per_s().has_value());
  rate.record(3, 5.0);
  EXPECT_FALSE(rate.rate_per_s().has_value());
  EXPECT_FALSE(rate.remaining_s(10).has_value());
}

}  // namespace
}  // namespace imcosim::cli
