#include "imcosim/campaign/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace imcosim::campaign {

namespace {

double percentile(const std::vector<double>& sorted, double percent) {
  const double position = percent / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return sorted[below] + weight * (sorted[above] - sorted[below]);
}

}  // namespace

Summary summarize(std::vector<double> values) {
  Summary summary;
  if (values.empty()) {
    return summary;
  }
  std::sort(values.begin(), values.end());
  const auto count = static_cast<double>(values.size());
  summary.count = static_cast<std::int64_t>(values.size());
  double sum = 0.0;
  for (const double value : values) {
    sum += value;
  }
  summary.mean = sum / count;
  double squares = 0.0;
  for (const double value : values) {
    squares += (value - summary.mean) * (value - summary.mean);
  }
  summary.standard_deviation = values.size() > 1 ? std::sqrt(squares / (count - 1.0)) : 0.0;
  summary.minimum = values.front();
  summary.p5 = percentile(values, 5.0);
  summary.p50 = percentile(values, 50.0);
  summary.p95 = percentile(values, 95.0);
  summary.p99 = percentile(values, 99.0);
  summary.maximum = values.back();
  return summary;
}

}  // namespace imcosim::campaign
