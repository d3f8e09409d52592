#include "neuron_test_support.hpp"

#include <array>
#include <charconv>
#include <string_view>

#include "imcosim/netlist/library.hpp"

namespace imcosim::testing {
namespace {

void append_lines(std::vector<std::string>& lines, std::string_view text) {
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
}

}  // namespace

std::string spice_number(double value) {
  std::array<char, 32> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
  return std::string(text.data(), result.ptr);
}

std::vector<std::string> library_lines(const std::string& subcircuit_file) {
  std::vector<std::string> lines;
  append_lines(lines, netlist::library_text("imcosim_cmos.lib"));
  append_lines(lines, netlist::library_text(subcircuit_file));
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
  job.commands = {"dc vin " + spice_number(v_in_min_volt) + " " + spice_number(v_in_max_volt) +
                  " " + spice_number(step_volt)};
  job.vector_names = {"v(out)"};
  return pool.run(job).vectors.at(0);
}

}  // namespace imcosim::testing
