#pragma once

// The memristor device model of Monte Carlo campaigns: which conductance states a device can be
// programmed to, how far programming misses them (device-to-device), how much each read
// fluctuates (cycle-to-cycle), which devices are stuck, and how conductance drifts after
// programming. docs/campaign.md ("The device model") states the semantics of every parameter.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imcosim/circuit/parameter.hpp"

namespace imcosim::device {

// The programmable conductance states.
enum class StateSet {
  binary,   // g_min (HRS) and g_max (LRS)
  ternary,  // g_min, (g_min + g_max) / 2, g_max
  levels,   // `levels` states equally spaced in conductance from g_min to g_max
  list,     // the conductances given explicitly, each within [g_min, g_max]
};

// Device-to-device (programming) variation of a programmed conductance G around its target T.
enum class Variation {
  none,       // G = T
  normal,     // G = T (1 + s z), z ~ N(0, 1), redrawn while G <= 0 (truncated normal)
  lognormal,  // G = T exp(s z): ln G is normal with mean ln T and standard deviation s
  uniform,    // G = T (1 + s u), u ~ U[-1, 1)
};

// "binary", ...; parse_* throw DeviceError naming `where` and the admissible names.
[[nodiscard]] std::string_view state_set_name(StateSet states);
[[nodiscard]] StateSet parse_state_set(std::string_view name, std::string_view where);
[[nodiscard]] std::string_view variation_name(Variation variation);
[[nodiscard]] Variation parse_variation(std::string_view name, std::string_view where);

// Plain values as read from a configuration; DeviceModel validates them.
struct DeviceParameters {
  StateSet states = StateSet::binary;
  double level_count = 2.0;              // states = levels: an integer >= 2
  std::vector<double> listed_g_siemens;  // states = list
  // Reference IMAC device (docs/design.md): R_high = 15 kOhm, R_low = 5 kOhm.
  double g_min_siemens = 1.0 / 15000.0;
  double g_max_siemens = 1.0 / 5000.0;
  Variation d2d_variation = Variation::none;
  double d2d_spread_percent = 0.0;  // s = d2d_spread_percent / 100
  double c2c_noise_percent = 0.0;   // relative standard deviation of each read, percent
  double stuck_lrs_fraction = 0.0;  // probability that a device is stuck at g_max
  double stuck_hrs_fraction = 0.0;  // probability that a device is stuck at g_min
  double drift_nu = 0.0;            // G(t) = G0 (t / t0)^-nu
  double drift_t0_s = 1.0;          // time after programming at which G = G0
  double read_time_s = 1.0;         // time after programming at which the tile is read
};

// One declared numeric parameter: its configuration key (in section [device]), unit, range and
// meaning, and where DeviceParameters keeps it. The one table that the configuration parser, the
// documentation and the dataset attributes read.
struct DeviceParameter {
  circuit::ParameterSpec spec;
  double DeviceParameters::*field;
};

inline constexpr std::array<DeviceParameter, 10> device_parameters{{
    {{.name = "levels",
      .unit = "1",
      .minimum = 2.0,
      .maximum = 65536.0,
      .description = "number of equally spaced conductance states (states = levels)"},
     &DeviceParameters::level_count},
    {{.name = "g_min",
      .unit = "S",
      .minimum = 0.0,
      .minimum_is_exclusive = true,
      .description = "lowest programmable conductance, the high-resistance state (HRS)"},
     &DeviceParameters::g_min_siemens},
    {{.name = "g_max",
      .unit = "S",
      .minimum = 0.0,
      .minimum_is_exclusive = true,
      .description = "highest programmable conductance, the low-resistance state (LRS)"},
     &DeviceParameters::g_max_siemens},
    {{.name = "d2d_spread_percent",
      .unit = "%",
      .minimum = 0.0,
      .maximum = 1000.0,
      .description = "device-to-device programming spread s, in percent: the relative standard "
                     "deviation (normal), the standard deviation of ln G (lognormal) or the "
                     "half-width (uniform); drawn once per device and sample"},
     &DeviceParameters::d2d_spread_percent},
    {{.name = "c2c_noise_percent",
      .unit = "%",
      .minimum = 0.0,
      .maximum = 100.0,
      .description = "cycle-to-cycle read noise, relative standard deviation in percent of a "
                     "normal factor drawn afresh for every device at every read"},
     &DeviceParameters::c2c_noise_percent},
    {{.name = "stuck_lrs_fraction",
      .unit = "1",
      .minimum = 0.0,
      .maximum = 1.0,
      .description = "probability (a fraction, not percent) that a device is stuck at g_max"},
     &DeviceParameters::stuck_lrs_fraction},
    {{.name = "stuck_hrs_fraction",
      .unit = "1",
      .minimum = 0.0,
      .maximum = 1.0,
      .description = "probability (a fraction, not percent) that a device is stuck at g_min"},
     &DeviceParameters::stuck_hrs_fraction},
    {{.name = "drift_nu",
      .unit = "1",
      .minimum = 0.0,
      .maximum = 1.0,
      .description = "drift exponent: G(t) = G0 (t / t0)^-nu; 0 disables drift"},
     &DeviceParameters::drift_nu},
    {{.name = "drift_t0",
      .unit = "s",
      .minimum = 0.0,
      .minimum_is_exclusive = true,
      .description = "time after programming at which the programmed conductance G0 holds"},
     &DeviceParameters::drift_t0_s},
    {{.name = "read_time",
      .unit = "s",
      .minimum = 0.0,
      .minimum_is_exclusive = true,
      .description = "time after programming at which the tile is read (>= drift_t0)"},
     &DeviceParameters::read_time_s},
}};

// A validated device model. Valid once constructed: the constructor checks every parameter
// against its declaration and their consistency, and throws DeviceError naming `where`.
class DeviceModel {
 public:
  explicit DeviceModel(DeviceParameters parameters, std::string_view where = "device model");

  [[nodiscard]] const DeviceParameters& parameters() const noexcept { return parameters_; }
  // The programmable conductances (siemens), increasing.
  [[nodiscard]] const std::vector<double>& state_g_siemens() const noexcept {
    return state_g_siemens_;
  }
  // Conductance of stuck-at-LRS (g_max) and stuck-at-HRS (g_min) devices.
  [[nodiscard]] double stuck_lrs_g_siemens() const noexcept { return parameters_.g_max_siemens; }
  [[nodiscard]] double stuck_hrs_g_siemens() const noexcept { return parameters_.g_min_siemens; }
  // (read_time / drift_t0)^-nu: the factor drift has applied by the time of the read.
  [[nodiscard]] double drift_factor() const noexcept { return drift_factor_; }

 private:
  DeviceParameters parameters_;
  std::vector<double> state_g_siemens_;
  double drift_factor_ = 1.0;
};

}  // namespace imcosim::device
