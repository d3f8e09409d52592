#pragma once

// Shared by the neuron tests: decks around the shipped files, run in ngspice.
#include <string>
#include <vector>

#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::testing {

// The shipped MOSFET card and `subcircuit_file` inlined, as deck lines (no title, no .end).
std::vector<std::string> library_lines(const std::string& subcircuit_file);

// V(out) of `subcircuit` (pins in out vdd vss) with its output open, vdd = 0.8 V, vss = 0 V,
// at each input voltage, from one ngspice dc sweep from v_in_min to v_in_max.
std::vector<double> open_transfer_curve(spice::WorkerPool& pool, const std::string& subcircuit,
                                        double v_in_min_volt, double v_in_max_volt,
                                        double step_volt);

}  // namespace imcosim::testing
