#include "imcosim/imac/wire_resistance.hpp"

#include <cmath>

namespace imcosim::imac {

double effective_resistivity_ohm_m(const ImacParameters& parameters) {
  const double lambda = parameters.mean_free_path_m;
  const double width = parameters.wire_width_m;
  const double surface = 0.75 * (1.0 - parameters.specularity) * lambda / width;
  const double alpha = lambda * parameters.reflection / (width * (1.0 - parameters.reflection));
  const double grain = 1.0 / (1.0 - 1.5 * alpha + 3.0 * alpha * alpha -
                              3.0 * alpha * alpha * alpha * std::log(1.0 + 1.0 / alpha));
  return parameters.resistivity_ohm_m * (surface + grain);
}

SegmentResistances segment_resistances(const ImacParameters& parameters) {
  switch (parameters.wire_model) {
    case WireModel::geometry: {
      const double rho = effective_resistivity_ohm_m(parameters);
      const double cross_section_m2 = parameters.wire_width_m * parameters.wire_thickness_m;
      return {.input_line_ohm = rho * parameters.cell_width_m / cross_section_m2,
              .output_line_ohm = rho * parameters.cell_length_m / cross_section_m2};
    }
    case WireModel::ohms:
      return {.input_line_ohm = parameters.r_input_segment_ohm,
              .output_line_ohm = parameters.r_output_segment_ohm};
    case WireModel::ideal:
      break;
  }
  return {.input_line_ohm = 0.0, .output_line_ohm = 0.0};
}

}  // namespace imcosim::imac
