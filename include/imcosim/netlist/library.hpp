#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace imcosim::netlist {

// The subcircuits (netlists/*.sub) and model cards (device_models/*.lib) shipped with imcosim,
// embedded at build time. Generated decks inline this text instead of `.include`-ing a path, so
// that they run unchanged in plain `ngspice -b` anywhere.

// Text of a shipped subcircuit or model file, by file name ("imac_neuron_mtj.sub",
// "imcosim_cmos.lib"); throws NetlistError naming the known files when absent.
std::string_view library_text(std::string_view file_name);

// The same text as deck lines, one per line of the file, without line ends.
std::vector<std::string> library_lines(std::string_view file_name);

// Every shipped file name, in increasing order.
std::vector<std::string_view> library_file_names();

}  // namespace imcosim::netlist
