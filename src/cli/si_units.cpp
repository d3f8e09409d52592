#include "si_units.hpp"

#include <array>
#include <cmath>
#include <sstream>

namespace imcosim::cli {

SiPrefix si_prefix_for(double magnitude) {
  static constexpr std::array<SiPrefix, 9> prefixes{{{"G", 1e-9},
                                                     {"M", 1e-6},
                                                     {"k", 1e-3},
                                                     {"", 1.0},
                                                     {"m", 1e3},
                                                     {"u", 1e6},
                                                     {"n", 1e9},
                                                     {"p", 1e12},
                                                     {"f", 1e15}}};
  const double size = std::abs(magnitude);
  if (!std::isfinite(size) || size == 0.0) {
    return prefixes[3];
  }
  for (const auto& prefix : prefixes) {
    if (size * prefix.factor >= 1.0) {
      return prefix;
    }
  }
  return prefixes.back();
}

std::string si_text(double value, std::string_view unit) {
  const auto prefix = si_prefix_for(value);
  std::ostringstream text;
  text.precision(4);
  text << value * prefix.factor << ' ' << prefix.prefix << unit;
  return text.str();
}

}  // namespace imcosim::cli
