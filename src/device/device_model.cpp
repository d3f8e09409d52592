#include "imcosim/device/device_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <utility>

#include "imcosim/circuit/error.hpp"
#include "imcosim/device/error.hpp"

namespace imcosim::device {

namespace {

constexpr std::array state_set_names{std::pair{StateSet::binary, std::string_view("binary")},
                                     std::pair{StateSet::ternary, std::string_view("ternary")},
                                     std::pair{StateSet::levels, std::string_view("levels")},
                                     std::pair{StateSet::list, std::string_view("list")}};

constexpr std::array variation_names{std::pair{Variation::none, std::string_view("none")},
                                     std::pair{Variation::normal, std::string_view("normal")},
                                     std::pair{Variation::lognormal, std::string_view("lognormal")},
                                     std::pair{Variation::uniform, std::string_view("uniform")}};

template <typename Enum, std::size_t Count>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, Count>& names,
                         Enum value) {
  for (const auto& [entry, name] : names) {
    if (entry == value) {
      return name;
    }
  }
  return "?";
}

template <typename Enum, std::size_t Count>
Enum parse_name(const std::array<std::pair<Enum, std::string_view>, Count>& names,
                std::string_view name, std::string_view where) {
  std::string admissible;
  for (const auto& [entry, entry_name] : names) {
    if (entry_name == name) {
      return entry;
    }
    admissible += (admissible.empty() ? "" : ", ") + std::string(entry_name);
  }
  throw DeviceError(std::string(where) + ": unknown value '" + std::string(name) +
                    "'; expected one of " + admissible);
}

std::string number_text(double value) {
  std::ostringstream text;
  text.precision(17);
  text << value;
  return text.str();
}

// The declared range check of one parameter, reported as a device error.
void check_declared(const DeviceParameter& parameter, double value, std::string_view where) {
  try {
    parameter.spec.check(value, where);
  } catch (const circuit::CircuitError& error) {
    throw DeviceError(error.what());
  }
}

std::vector<double> programmable_states(const DeviceParameters& parameters,
                                        std::string_view where) {
  const double g_min = parameters.g_min_siemens;
  const double g_max = parameters.g_max_siemens;
  switch (parameters.states) {
    case StateSet::binary:
      return {g_min, g_max};
    case StateSet::ternary:
      return {g_min, 0.5 * (g_min + g_max), g_max};
    case StateSet::levels: {
      const auto count = static_cast<std::size_t>(parameters.level_count);
      std::vector<double> states(count);
      for (std::size_t level = 0; level < count; ++level) {
        states[level] =
            g_min + (g_max - g_min) * static_cast<double>(level) / static_cast<double>(count - 1);
      }
      states.back() = g_max;
      return states;
    }
    case StateSet::list: {
      if (parameters.listed_g_siemens.empty()) {
        throw DeviceError(std::string(where) +
                          ": states = list needs at least one conductance in 'conductances'");
      }
      std::vector<double> states = parameters.listed_g_siemens;
      for (const double g_siemens : states) {
        if (!(g_siemens >= g_min && g_siemens <= g_max)) {
          throw DeviceError(std::string(where) + ": listed conductance " + number_text(g_siemens) +
                            " S is outside [g_min, g_max] = [" + number_text(g_min) + ", " +
                            number_text(g_max) + "] S");
        }
      }
      std::sort(states.begin(), states.end());
      return states;
    }
  }
  throw DeviceError(std::string(where) + ": unknown state set");
}

}  // namespace

std::string_view state_set_name(StateSet states) { return name_of(state_set_names, states); }

StateSet parse_state_set(std::string_view name, std::string_view where) {
  return parse_name(state_set_names, name, where);
}

std::string_view variation_name(Variation variation) { return name_of(variation_names, variation); }

Variation parse_variation(std::string_view name, std::string_view where) {
  return parse_name(variation_names, name, where);
}

DeviceModel::DeviceModel(DeviceParameters parameters, std::string_view where)
    : parameters_(std::move(parameters)) {
  // 1. Every numeric parameter against its declaration.
  for (const auto& parameter : device_parameters) {
    check_declared(parameter, parameters_.*parameter.field, where);
  }
  const std::string prefix(where);
  if (parameters_.level_count != std::floor(parameters_.level_count)) {
    throw DeviceError(prefix + ": levels = " + number_text(parameters_.level_count) +
                      " is not an integer");
  }

  // 2. Consistency between parameters.
  if (!(parameters_.g_min_siemens < parameters_.g_max_siemens)) {
    throw DeviceError(prefix + ": the conductance range is empty: g_min = " +
                      number_text(parameters_.g_min_siemens) +
                      " S must be below g_max = " + number_text(parameters_.g_max_siemens) + " S");
  }
  const double stuck_fraction = parameters_.stuck_lrs_fraction + parameters_.stuck_hrs_fraction;
  if (stuck_fraction > 1.0) {
    throw DeviceError(prefix +
                      ": stuck_lrs_fraction + stuck_hrs_fraction = " + number_text(stuck_fraction) +
                      " exceeds 1 (they are fractions of all devices, not percent)");
  }
  if (parameters_.d2d_variation == Variation::uniform && parameters_.d2d_spread_percent >= 100.0) {
    throw DeviceError(prefix +
                      ": d2d_spread_percent = " + number_text(parameters_.d2d_spread_percent) +
                      " must be below 100 for the uniform distribution (a device would reach "
                      "zero or negative conductance)");
  }
  if (parameters_.d2d_variation == Variation::none && parameters_.d2d_spread_percent != 0.0) {
    throw DeviceError(prefix +
                      ": d2d_spread_percent = " + number_text(parameters_.d2d_spread_percent) +
                      " is given but d2d_distribution = none; choose normal, lognormal or uniform");
  }
  if (parameters_.drift_nu > 0.0 && parameters_.read_time_s < parameters_.drift_t0_s) {
    throw DeviceError(prefix + ": read_time = " + number_text(parameters_.read_time_s) +
                      " s is before drift_t0 = " + number_text(parameters_.drift_t0_s) +
                      " s; the drift law G0 (t / t0)^-nu holds for t >= t0");
  }

  // 3. The derived quantities.
  state_g_siemens_ = programmable_states(parameters_, where);
  drift_factor_ = std::pow(parameters_.read_time_s / parameters_.drift_t0_s, -parameters_.drift_nu);
}

}  // namespace imcosim::device
