#pragma once

#include <string>
#include <vector>

namespace imcosim::spice {

// One self-contained ngspice run: load a deck, execute commands, fetch vectors.
struct SpiceJob {
  // Complete deck: title line first, ".end" last; no .control block needed. Empty: the commands
  // run without loading a circuit (e.g. {"version -s"}).
  std::vector<std::string> netlist_lines;
  // ngspice commands executed in order after loading, e.g. {"run"} or {"op"}. They run in the
  // foreground; the background variants (bg_run, ...) are not supported.
  std::vector<std::string> commands{"run"};
  // Vectors to fetch afterwards, e.g. "i(vsense_0)", "v(out)".
  std::vector<std::string> vector_names;
};

struct SpiceResult {
  std::vector<std::vector<double>> vectors;  // real parts, in the order of vector_names
  std::vector<std::string> messages;         // everything ngspice printed, for diagnostics
};

}  // namespace imcosim::spice
