#include "imcosim/circuit/parameter.hpp"

#include <cmath>
#include <sstream>

#include "imcosim/circuit/error.hpp"

namespace imcosim::circuit {

namespace {

std::string range_text(const ParameterSpec& spec) {
  std::ostringstream text;
  const bool has_minimum = std::isfinite(spec.minimum);
  const bool has_maximum = std::isfinite(spec.maximum);
  if (has_minimum) {
    text << (spec.minimum_is_exclusive ? "> " : ">= ") << spec.minimum;
  }
  if (has_minimum && has_maximum) {
    text << " and ";
  }
  if (has_maximum) {
    text << "<= " << spec.maximum;
  }
  if (!has_minimum && !has_maximum) {
    text << "finite";
  }
  return text.str();
}

}  // namespace

void ParameterSpec::check(double value, std::string_view where) const {
  const bool below = minimum_is_exclusive ? !(value > minimum) : !(value >= minimum);
  // A subnormal number (below 2.2e-308 in magnitude, not 0) has no finite reciprocal: a
  // resistance of 1e-320 ohm would stamp an infinite conductance.
  const bool subnormal = std::fpclassify(value) == FP_SUBNORMAL;
  if (!std::isfinite(value) || below || value > maximum || subnormal) {
    std::ostringstream message;
    message.precision(17);
    // A dimensionless parameter's unit is "1", which would read as a second value ("= 5 1").
    message << where << ": " << name << " = " << value << (unit == "1" ? "" : " ")
            << (unit == "1" ? "" : unit) << " is invalid; expected " << range_text(*this)
            << (subnormal ? ", and 0 or at least 2.2e-308 in magnitude" : "") << " (" << description
            << ")";
    throw CircuitError(message.str());
  }
}

std::string ParameterSpec::describe() const {
  return std::string(name) + " (" + std::string(unit) + ", " + range_text(*this) +
         "): " + std::string(description);
}

}  // namespace imcosim::circuit
