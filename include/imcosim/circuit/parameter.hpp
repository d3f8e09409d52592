#pragma once

#include <limits>
#include <string>
#include <string_view>

namespace imcosim::circuit {

// One declared circuit parameter: the single place that says what a value means, its unit and
// its admissible range. File readers, netlist writers and result attributes all read it.
struct ParameterSpec {
  std::string_view name;  // as spelled in files and configs, e.g. "r_row"
  std::string_view unit;  // SI unit, e.g. "ohm"
  double minimum = -std::numeric_limits<double>::infinity();
  bool minimum_is_exclusive = false;
  double maximum = std::numeric_limits<double>::infinity();
  std::string_view description;

  // Throws CircuitError naming `where` (a file, dataset or option) when `value` is not finite
  // or outside [minimum, maximum] (or (minimum, maximum] when the minimum is exclusive).
  void check(double value, std::string_view where) const;

  // "r_row (ohm, >= 0): ohms per row wire segment" — used in help texts and errors.
  [[nodiscard]] std::string describe() const;
};

}  // namespace imcosim::circuit
