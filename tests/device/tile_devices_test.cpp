// Drawn devices follow the configured distributions: fixed seeds, bounds of five standard
// errors (a false failure is a 1-in-a-million event, and the seeds are fixed anyway).
#include "imcosim/device/tile_devices.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace imcosim::device {
namespace {

constexpr Eigen::Index side = 200;  // 40,000 devices per tile
constexpr double count = static_cast<double>(side * side);
constexpr double target_siemens = 1e-4;

struct Moments {
  double mean = 0.0;
  double standard_deviation = 0.0;
  double minimum = 0.0;
  double maximum = 0.0;
};

Moments moments(const Eigen::ArrayXXd& values) {
  const double mean = values.mean();
  const auto n = static_cast<double>(values.size());
  return {mean, std::sqrt((values - mean).square().sum() / (n - 1.0)), values.minCoeff(),
          values.maxCoeff()};
}

// Programmed conductance over target for a tile whose every target is target_siemens.
Eigen::ArrayXXd programmed_ratio(const DeviceParameters& parameters, std::uint64_t seed) {
  const DeviceModel model(parameters);
  RandomStream stream(seed);
  const auto tile =
      program_tile(model, Eigen::MatrixXd::Constant(side, side, target_siemens), stream);
  return tile.programmed_g_siemens.array() / target_siemens;
}

DeviceParameters with_variation(Variation variation, double spread_percent) {
  DeviceParameters parameters;
  parameters.g_min_siemens = 1e-6;
  parameters.g_max_siemens = 1e-3;
  parameters.d2d_variation = variation;
  parameters.d2d_spread_percent = spread_percent;
  return parameters;
}

TEST(TileDevices, LognormalVariationHasTheConfiguredSigmaOfLnG) {
  const auto ratio = programmed_ratio(with_variation(Variation::lognormal, 20.0), 11);
  const auto logs = moments(ratio.log());
  EXPECT_NEAR(logs.mean, 0.0, 5.0 * 0.2 / std::sqrt(count));
  EXPECT_NEAR(logs.standard_deviation, 0.2, 5.0 * 0.2 / std::sqrt(2.0 * count));
  EXPECT_GT(logs.minimum, -0.2 * 6.0);
}

TEST(TileDevices, NormalVariationHasTheConfiguredRelativeSpread) {
  const auto values = moments(programmed_ratio(with_variation(Variation::normal, 10.0), 12));
  EXPECT_NEAR(values.mean, 1.0, 5.0 * 0.1 / std::sqrt(count));
  EXPECT_NEAR(values.standard_deviation, 0.1, 5.0 * 0.1 / std::sqrt(2.0 * count));
}

TEST(TileDevices, NormalVariationIsTruncatedAtZero) {
  const auto values = moments(programmed_ratio(with_variation(Variation::normal, 80.0), 13));
  EXPECT_GT(values.minimum, 0.0);
}

TEST(TileDevices, UniformVariationStaysWithinItsHalfWidth) {
  const auto values = moments(programmed_ratio(with_variation(Variation::uniform, 30.0), 14));
  EXPECT_GE(values.minimum, 0.7);
  EXPECT_LT(values.maximum, 1.3);
  EXPECT_NEAR(values.mean, 1.0, 5.0 * 0.3 / std::sqrt(3.0 * count));
  // U[-a, a) has standard deviation a / sqrt(3); its sample standard deviation has a standard
  // error of about a / sqrt(3) * sqrt(0.8 / (4 n)) (fourth moment 9/5 of the squared variance).
  EXPECT_NEAR(values.standard_deviation, 0.3 / std::sqrt(3.0),
              5.0 * 0.3 / std::sqrt(3.0) * std::sqrt(0.2 / count));
}

TEST(TileDevices, NoVariationProgramsTheTargetsExactly) {
  EXPECT_TRUE((programmed_ratio(with_variation(Variation::none, 0.0), 15) == 1.0).all());
}

TEST(TileDevices, StuckFractionsMatchAndStuckDevicesSitAtTheExtremes) {
  auto parameters = with_variation(Variation::lognormal, 10.0);
  parameters.stuck_lrs_fraction = 0.05;
  parameters.stuck_hrs_fraction = 0.02;
  parameters.drift_nu = 0.1;
  parameters.read_time_s = 100.0;
  const DeviceModel model(parameters);
  RandomStream stream(16);
  const auto tile =
      program_tile(model, Eigen::MatrixXd::Constant(side, side, target_siemens), stream);
  std::map<Fault, double> faults;
  for (Eigen::Index i = 0; i < side; ++i) {
    for (Eigen::Index j = 0; j < side; ++j) {
      ++faults[tile.faults(i, j)];
      if (tile.faults(i, j) == Fault::stuck_lrs) {
        ASSERT_EQ(tile.programmed_g_siemens(i, j), 1e-3);
      } else if (tile.faults(i, j) == Fault::stuck_hrs) {
        ASSERT_EQ(tile.programmed_g_siemens(i, j), 1e-6);
      }
    }
  }
  for (const auto& [fault, rate] : {std::pair{Fault::stuck_lrs, 0.05}, {Fault::stuck_hrs, 0.02}}) {
    EXPECT_NEAR(faults[fault] / count, rate, 5.0 * std::sqrt(rate * (1.0 - rate) / count));
  }
  // Healthy devices drifted by (100 / 1)^-0.1 on average (ln G has mean ln(T drift)).
  double log_sum = 0.0;
  for (Eigen::Index i = 0; i < side; ++i) {
    for (Eigen::Index j = 0; j < side; ++j) {
      if (tile.faults(i, j) == Fault::none) {
        log_sum += std::log(tile.programmed_g_siemens(i, j) / target_siemens);
      }
    }
  }
  EXPECT_NEAR(log_sum / faults[Fault::none], -0.1 * std::log(100.0),
              5.0 * 0.1 / std::sqrt(faults[Fault::none]));
}

TEST(TileDevices, ReadNoiseIsFreshPerReadAndSparesStuckDevices) {
  auto parameters = with_variation(Variation::none, 0.0);
  parameters.c2c_noise_percent = 3.0;
  parameters.stuck_hrs_fraction = 0.1;
  const DeviceModel model(parameters);
  RandomStream programming(17);
  const auto tile =
      program_tile(model, Eigen::MatrixXd::Constant(side, side, target_siemens), programming);
  RandomStream reads(18);
  const Eigen::MatrixXd first = read_conductances(model, tile, reads);
  const Eigen::MatrixXd second = read_conductances(model, tile, reads);
  std::vector<double> ratios;
  for (Eigen::Index i = 0; i < side; ++i) {
    for (Eigen::Index j = 0; j < side; ++j) {
      if (tile.faults(i, j) == Fault::none) {
        ratios.push_back(first(i, j) / target_siemens);
        EXPECT_NE(first(i, j), second(i, j));
      } else {
        EXPECT_EQ(first(i, j), 1e-6);
      }
    }
  }
  const auto values = moments(Eigen::Map<const Eigen::ArrayXXd>(
      ratios.data(), static_cast<Eigen::Index>(ratios.size()), 1));
  const double n = static_cast<double>(ratios.size());
  EXPECT_NEAR(values.mean, 1.0, 5.0 * 0.03 / std::sqrt(n));
  EXPECT_NEAR(values.standard_deviation, 0.03, 5.0 * 0.03 / std::sqrt(2.0 * n) + 1e-3 * 0.03);
}

TEST(TileDevices, TargetsAreDrawnEvenlyFromTheStates) {
  DeviceParameters parameters;
  parameters.states = StateSet::levels;
  parameters.level_count = 4;
  const DeviceModel model(parameters);
  RandomStream stream(19);
  const auto targets = draw_target_states(model, side, side, stream);
  for (const double state : model.state_g_siemens()) {
    const double share = (targets.array() == state).cast<double>().sum() / count;
    EXPECT_NEAR(share, 0.25, 5.0 * std::sqrt(0.25 * 0.75 / count));
  }
}

TEST(TileDevices, SameSeedSameTile) {
  const auto a = programmed_ratio(with_variation(Variation::lognormal, 20.0), 99);
  const auto b = programmed_ratio(with_variation(Variation::lognormal, 20.0), 99);
  EXPECT_TRUE((a == b).all());
}

}  // namespace
}  // namespace imcosim::device
