#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace imcosim::netlist {

// A SPICE deck split the way the ngspice shared library needs it: the circuit is loaded as
// lines, and the commands of its `.control` ... `.endc` block are executed one by one afterwards.
struct Deck {
  std::vector<std::string> circuit_lines;     // title first, ".end" last, no control block
  std::vector<std::string> control_commands;  // in order; `quit` and `exit` are left out
};

// Splits deck text. A deck without a control block and without an analysis command gets
// {"run"}, so that its dot-card analyses (.op, .dc, .tran ...) execute as in `ngspice -b`.
// `quit`/`exit` are dropped: in the shared library they would end the ngspice instance.
Deck split_deck(const std::vector<std::string>& lines);

// Reads and splits a deck file; throws NetlistError (bad_input) naming the file if it cannot be
// read or holds no circuit.
Deck read_deck_file(const std::filesystem::path& path);

}  // namespace imcosim::netlist
