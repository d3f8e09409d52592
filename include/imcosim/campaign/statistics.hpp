#pragma once

#include <cstdint>
#include <vector>

namespace imcosim::campaign {

// Distribution of a set of values; percentiles interpolate linearly between order statistics
// (numpy.percentile's default), so they can be checked with numpy.
struct Summary {
  std::int64_t count = 0;
  double mean = 0.0;
  double standard_deviation = 0.0;  // sample standard deviation (n - 1), 0 for one value
  double minimum = 0.0;
  double p5 = 0.0;
  double p50 = 0.0;
  double p95 = 0.0;
  double p99 = 0.0;
  double maximum = 0.0;
};

// All zeros for an empty set.
[[nodiscard]] Summary summarize(std::vector<double> values);

}  // namespace imcosim::campaign
