#include "imcosim/device/device_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "imcosim/device/error.hpp"

namespace imcosim::device {
namespace {

// Runs `statement` expecting DeviceError whose message contains `text`.
template <typename Statement>
void expect_device_error(Statement statement, const std::string& text) {
  try {
    statement();
    ADD_FAILURE() << "no DeviceError; expected one mentioning '" << text << "'";
  } catch (const DeviceError& error) {
    EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
  }
}

TEST(DeviceModel, StateSetsSpanTheConductanceRange) {
  DeviceParameters parameters;
  parameters.g_min_siemens = 1e-6;
  parameters.g_max_siemens = 4e-6;
  EXPECT_EQ(DeviceModel(parameters).state_g_siemens(), (std::vector<double>{1e-6, 4e-6}));
  parameters.states = StateSet::ternary;
  EXPECT_EQ(DeviceModel(parameters).state_g_siemens(),
            (std::vector<double>{1e-6, 0.5 * (1e-6 + 4e-6), 4e-6}));
  parameters.states = StateSet::levels;
  parameters.level_count = 4;
  EXPECT_EQ(DeviceModel(parameters).state_g_siemens(),
            (std::vector<double>{1e-6, 2e-6, 3e-6, 4e-6}));
  parameters.states = StateSet::list;
  parameters.listed_g_siemens = {3e-6, 1.5e-6};
  const DeviceModel listed(parameters);
  EXPECT_EQ(listed.state_g_siemens(), (std::vector<double>{1.5e-6, 3e-6}));
  EXPECT_EQ(listed.stuck_lrs_g_siemens(), 4e-6);
  EXPECT_EQ(listed.stuck_hrs_g_siemens(), 1e-6);
}

TEST(DeviceModel, DriftFollowsThePowerLaw) {
  DeviceParameters parameters;
  parameters.drift_nu = 0.05;
  parameters.drift_t0_s = 1.0;
  parameters.read_time_s = 1000.0;
  EXPECT_DOUBLE_EQ(DeviceModel(parameters).drift_factor(), std::pow(1000.0, -0.05));
}

TEST(DeviceModel, InconsistentParametersAreRejectedWithTheirNames) {
  expect_device_error(
      [] {
        DeviceParameters p;
        p.g_min_siemens = 2e-4;
        p.g_max_siemens = 1e-4;
        (void)DeviceModel(p);
      },
      "conductance range is empty");
  expect_device_error(
      [] {
        DeviceParameters p;
        p.stuck_lrs_fraction = 0.6;
        p.stuck_hrs_fraction = 0.5;
        (void)DeviceModel(p);
      },
      "exceeds 1");
  expect_device_error(
      [] {
        DeviceParameters p;
        p.stuck_hrs_fraction = -0.1;
        (void)DeviceModel(p, "cfg.ini: [device]");
      },
      "cfg.ini: [device]: stuck_hrs_fraction");
  expect_device_error(
      [] {
        DeviceParameters p;
        p.d2d_variation = Variation::uniform;
        p.d2d_spread_percent = 100.0;
        (void)DeviceModel(p);
      },
      "below 100");
  expect_device_error(
      [] {
        DeviceParameters p;
        p.d2d_spread_percent = 5.0;
        (void)DeviceModel(p);
      },
      "d2d_distribution = none");
  expect_device_error(
      [] {
        DeviceParameters p;
        p.states = StateSet::levels;
        p.level_count = 2.5;
        (void)DeviceModel(p);
      },
      "not an integer");
  expect_device_error(
      [] {
        DeviceParameters p;
        p.states = StateSet::list;
        p.listed_g_siemens = {1.0};
        (void)DeviceModel(p);
      },
      "outside [g_min, g_max]");
  expect_device_error(
      [] {
        DeviceParameters p;
        p.drift_nu = 0.1;
        p.read_time_s = 0.5;
        (void)DeviceModel(p);
      },
      "before drift_t0");
  expect_device_error([] { (void)parse_variation("gaussian", "d2d_distribution"); },
                      "unknown value 'gaussian'; expected one of none, normal, lognormal, uniform");
  expect_device_error([] { (void)parse_state_set("quaternary", "states"); }, "binary, ternary");
}

}  // namespace
}  // namespace imcosim::device
