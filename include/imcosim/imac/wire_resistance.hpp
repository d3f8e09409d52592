#pragma once

#include "imcosim/imac/parameters.hpp"

namespace imcosim::imac {

// Resistance of one wire segment between neighbouring cells, ohms.
struct SegmentResistances {
  double input_line_ohm;   // along an input (row) line: one cell width
  double output_line_ohm;  // along an output (column) line: one cell length
};

// Size-effect resistivity of a narrow copper line: rho' = rho (d_surface + d_grain), with
//   d_surface = 3/4 (1 - p) lambda / w                        (Fuchs-Sondheimer, thin-film limit)
//   d_grain   = 1 / (1 - 3a/2 + 3a^2 - 3a^3 ln(1 + 1/a)),  a = lambda R / (w (1 - R))
//                                                            (Mayadas-Shatzkes, grain size = w)
// lambda the mean free path, p the specularity, R the grain-boundary reflection, w the width.
double effective_resistivity_ohm_m(const ImacParameters& parameters);

// The segment resistances the wire model gives: rho' length / (width thickness) from geometry,
// the given ohms, or zero for ideal wires.
SegmentResistances segment_resistances(const ImacParameters& parameters);

}  // namespace imcosim::imac
