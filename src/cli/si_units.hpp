#pragma once

#include <string>
#include <string_view>

namespace imcosim::cli {

// A decimal SI prefix and the factor that brings a value in the base unit to it: 0.0214 W is
// 21.4 mW (factor 1e3). Summaries print one unit family (W, mW, uW, ...) with the prefix that
// leaves 1 to 999 before the point, instead of 21427.92 uW.
struct SiPrefix {
  std::string_view prefix;  // "G", "M", "k", "", "m", "u", "n", "p", "f"
  double factor;            // value_in_prefixed_unit = value_in_base_unit * factor
};

// The prefix for values of this magnitude (0, NaN and infinities: no prefix).
[[nodiscard]] SiPrefix si_prefix_for(double magnitude);

// "21.43 mW": `value` in the base `unit`, with four significant digits and its prefix.
[[nodiscard]] std::string si_text(double value, std::string_view unit);

}  // namespace imcosim::cli
