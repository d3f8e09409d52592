#include "neuron_test_support.hpp"

#include "imcosim/netlist/library.hpp"
#include "imcosim/netlist/tile_deck.hpp"

namespace imcosim::testing {

std::vector<std::string> library_lines(const std::string& subcircuit_file) {
  std::vector<std::string> lines = netlist::library_lines("imcosim_cmos.lib");
  const auto subcircuit = netlist::library_lines(subcircuit_file);
  lines.insert(lines.end(), subcircuit.begin(), subcircuit.end());
  return lines;
}

std::vector<double> open_transfer_curve(spice::WorkerPool& pool, const std::string& subcircuit,
                                        double v_in_min_volt, double v_in_max_volt,
                                        double step_volt) {
  spice::SpiceJob job;
  job.netlist_lines = {"* open-circuit transfer curve"};
  for (std::string& line : library_lines(subcircuit + ".sub")) {
    job.netlist_lines.push_back(std::move(line));
  }
  for (const char* line : {"vdd vdd 0 dc 0.8", "vss vss 0 dc 0", "vin in 0 dc 0"}) {
    job.netlist_lines.emplace_back(line);
  }
  job.netlist_lines.push_back("xneuron in out vdd vss " + subcircuit);
  job.netlist_lines.emplace_back(".end");
  job.commands = {"dc vin " + netlist::spice_number(v_in_min_volt) + " " +
                  netlist::spice_number(v_in_max_volt) + " " + netlist::spice_number(step_volt)};
  job.vector_names = {"v(out)"};
  return pool.run(job).vectors.at(0);
}

}  // namespace imcosim::testing
