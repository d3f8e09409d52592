#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "imcosim/imac/error.hpp"
#include "imcosim/imac/neuron_table.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/error.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/netlist/library.hpp"
#include "imcosim/netlist/tile_deck.hpp"

namespace imcosim::imac {
namespace {

// The shipped MOSFET card, inlined into every characterisation deck; the transistor-level
// neuron needs it and it is harmless to the behavioural one.
constexpr std::string_view kModelCardFile = "imcosim_cmos.lib";
constexpr std::string_view kCacheFormat = "imcosim neuron table";
constexpr std::int64_t kCacheFormatVersion = 1;

// 64-bit FNV-1a: a stable, platform-independent hash (std::hash is neither).
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char character : text) {
    hash ^= static_cast<std::uint64_t>(static_cast<unsigned char>(character));
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::vector<std::string> subcircuit_lines(const NeuronCircuit& circuit) {
  try {
    return netlist::library_lines(circuit.subcircuit_name + ".sub");
  } catch (const Error& error) {
    throw ImacError(ErrorKind::bad_input, "neuron: unknown subcircuit '" + circuit.subcircuit_name +
                                              "': " + error.what());
  }
}

// "name=value" overrides sorted by name, so that the order the caller lists them in does not
// change the deck or the cache key.
std::string instance_parameters(const NeuronCircuit& circuit) {
  std::vector<std::pair<std::string, double>> parameters = circuit.parameters;
  std::sort(parameters.begin(), parameters.end());
  std::string text;
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    const auto& [name, value] = parameters[k];
    if (k > 0 && parameters[k - 1].first == name) {
      throw ImacError(ErrorKind::bad_input, "neuron: parameter '" + name + "' is given twice");
    }
    if (name.empty() || name.find_first_of(" \t=") != std::string::npos || !std::isfinite(value)) {
      throw ImacError(ErrorKind::bad_input,
                      "neuron: invalid parameter '" + name + "' = " + netlist::spice_number(value));
    }
    text += " " + name + "=" + netlist::spice_number(value);
  }
  return text;
}

std::filesystem::path cache_path(const std::filesystem::path& cache_directory,
                                 const std::string& key) {
  return cache_directory / ("neuron-" + key + ".h5");
}

// The cached table, or none when the file is absent, unreadable, of another format or for
// another key: each of those is recomputed and overwritten.
std::optional<NeuronTable> load_cached(const std::filesystem::path& path, const std::string& key,
                                       const NeuronCircuit& circuit, const NeuronGrid& grid) {
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(path, ignored)) {
    return std::nullopt;
  }
  try {
    const auto file = io::hdf5::File::open_read_only(path);
    if (file.read_string_attribute("format") != kCacheFormat ||
        file.read_int64_attribute("format_version") != kCacheFormatVersion ||
        file.read_string_attribute("key") != key) {
      return std::nullopt;
    }
    return NeuronTable(circuit, grid, file.open_dataset("output_current_ampere").read_matrix(),
                       file.open_dataset("supply_current_ampere").read_matrix(),
                       file.open_dataset("input_current_ampere").read_matrix());
  } catch (const Error&) {
    return std::nullopt;
  }
}

void write_cache(const std::filesystem::path& path, const NeuronTable& table) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) {
    throw io::IoError(ErrorKind::runtime, "cannot create the neuron cache directory " +
                                              path.parent_path().string() + ": " + error.message());
  }
  io::AtomicFile output(path);
  {
    auto file = io::hdf5::File::create(output.temporary_path());
    file.write_string_attribute("format", kCacheFormat);
    file.write_int64_attribute("format_version", kCacheFormatVersion);
    file.write_string_attribute("key", table.key());
    file.write_string_attribute("subcircuit_name", table.circuit().subcircuit_name);
    file.write_string_attribute("ngspice_version", IMCOSIM_NGSPICE_VERSION);
    file.write_double_attribute("vdd_volt", table.circuit().vdd_volt);
    file.write_double_attribute("vss_volt", table.circuit().vss_volt);
    file.write_double_attribute("v_in_min_volt", table.grid().v_in_min_volt);
    file.write_double_attribute("v_in_max_volt", table.grid().v_in_max_volt);
    file.write_double_attribute("v_out_min_volt", table.grid().v_out_min_volt);
    file.write_double_attribute("v_out_max_volt", table.grid().v_out_max_volt);
    file.write_double_attribute("step_volt", table.grid().step_volt);
    for (const auto& [name, value] : table.circuit().parameters) {
      file.write_double_attribute("parameter_" + name, value);
    }
    file.write_matrix("output_current_ampere", table.output_current_ampere());
    file.write_matrix("supply_current_ampere", table.supply_current_ampere());
    file.write_matrix("input_current_ampere", table.input_current_ampere());
    file.close();
  }
  output.commit();
}

// Checks that ngspice swept exactly the grid (a dc sweep whose float accumulation dropped or
// added an end point would silently shift the table) and reshapes a result vector.
Eigen::MatrixXd grid_matrix(const std::vector<double>& values, Eigen::Index rows, Eigen::Index cols,
                            const char* name) {
  if (static_cast<Eigen::Index>(values.size()) != rows * cols) {
    throw ImacError(ErrorKind::runtime, std::string("neuron characterisation: ngspice returned ") +
                                            std::to_string(values.size()) + " points of " + name +
                                            ", expected " + std::to_string(rows) + " x " +
                                            std::to_string(cols));
  }
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      matrix(i, j) = values[static_cast<std::size_t>(i * cols + j)];
    }
  }
  return matrix;
}

void require_swept_grid(const Eigen::MatrixXd& v_in_volt, const Eigen::MatrixXd& v_out_volt,
                        const NeuronGrid& grid) {
  constexpr double kTolerance_volt = 1e-9;
  for (Eigen::Index i = 0; i < v_in_volt.rows(); ++i) {
    for (Eigen::Index j = 0; j < v_in_volt.cols(); ++j) {
      const double expected_in = grid.v_in_min_volt + static_cast<double>(i) * grid.step_volt;
      const double expected_out = grid.v_out_min_volt + static_cast<double>(j) * grid.step_volt;
      if (std::abs(v_in_volt(i, j) - expected_in) > kTolerance_volt ||
          std::abs(v_out_volt(i, j) - expected_out) > kTolerance_volt) {
        throw ImacError(ErrorKind::runtime, "neuron characterisation: ngspice's dc sweep point (" +
                                                netlist::spice_number(v_in_volt(i, j)) + " V, " +
                                                netlist::spice_number(v_out_volt(i, j)) +
                                                " V) is not the grid point (" +
                                                netlist::spice_number(expected_in) + " V, " +
                                                netlist::spice_number(expected_out) + " V)");
      }
    }
  }
}

NeuronTable simulate(spice::WorkerPool& pool, const NeuronCircuit& circuit,
                     const NeuronGrid& grid) {
  const auto [rows, cols] = neuron_grid_points(grid);
  const NeuronCharacterisationDeck deck = neuron_characterisation_deck(circuit, grid);
  spice::SpiceJob job;
  job.netlist_lines = deck.netlist_lines;
  job.commands = {deck.dc_command};
  job.vector_names = {"i(vout)", "i(vdd)", "i(vin)", "v(in)", "v(out)"};
  const spice::SpiceResult result = pool.run(job);
  require_swept_grid(grid_matrix(result.vectors[3], rows, cols, "v(in)"),
                     grid_matrix(result.vectors[4], rows, cols, "v(out)"), grid);
  // SPICE reports a source's current flowing into its positive terminal: i(vout) is the current
  // the neuron pushes out of its output pin, -i(vdd) the current drawn from the supply, -i(vin)
  // the current into the input pin.
  return NeuronTable(circuit, grid, grid_matrix(result.vectors[0], rows, cols, "i(vout)"),
                     -grid_matrix(result.vectors[1], rows, cols, "i(vdd)"),
                     -grid_matrix(result.vectors[2], rows, cols, "i(vin)"));
}

}  // namespace

NeuronCharacterisationDeck neuron_characterisation_deck(const NeuronCircuit& circuit,
                                                        const NeuronGrid& grid) {
  neuron_grid_points(grid);  // validates the grid before any text is built
  NeuronCharacterisationDeck deck;
  deck.netlist_lines.emplace_back("* imcosim neuron characterisation: " + circuit.subcircuit_name);
  const auto model_card = netlist::library_lines(kModelCardFile);
  const auto subcircuit = subcircuit_lines(circuit);
  deck.netlist_lines.insert(deck.netlist_lines.end(), model_card.begin(), model_card.end());
  deck.netlist_lines.insert(deck.netlist_lines.end(), subcircuit.begin(), subcircuit.end());
  deck.netlist_lines.push_back("vdd vdd 0 dc " + netlist::spice_number(circuit.vdd_volt));
  deck.netlist_lines.push_back("vss vss 0 dc " + netlist::spice_number(circuit.vss_volt));
  deck.netlist_lines.emplace_back("vin in 0 dc 0");
  deck.netlist_lines.emplace_back("vout out 0 dc 0");
  deck.netlist_lines.push_back("xneuron in out vdd vss " + circuit.subcircuit_name +
                               instance_parameters(circuit));
  deck.netlist_lines.emplace_back(".end");
  deck.dc_command =
      "dc vout " + netlist::spice_number(grid.v_out_min_volt) + " " +
      netlist::spice_number(grid.v_out_max_volt) + " " + netlist::spice_number(grid.step_volt) +
      " vin " + netlist::spice_number(grid.v_in_min_volt) + " " +
      netlist::spice_number(grid.v_in_max_volt) + " " + netlist::spice_number(grid.step_volt);
  return deck;
}

std::string neuron_table_key(const NeuronCircuit& circuit, const NeuronGrid& grid) {
  const NeuronCharacterisationDeck deck = neuron_characterisation_deck(circuit, grid);
  std::string description;
  for (const std::string& line : deck.netlist_lines) {
    description += line + "\n";
  }
  description += deck.dc_command + "\nngspice " + IMCOSIM_NGSPICE_VERSION + "\n";
  std::array<char, 17> hex{};
  std::snprintf(hex.data(), hex.size(), "%016llx",
                static_cast<unsigned long long>(fnv1a(description)));
  return std::string(hex.data(), 16);
}

NeuronTable characterise_neuron(spice::WorkerPool& pool, const NeuronCircuit& circuit,
                                const NeuronGrid& grid,
                                const std::filesystem::path& cache_directory) {
  const std::string key = neuron_table_key(circuit, grid);
  const std::filesystem::path path = cache_path(cache_directory, key);
  if (auto cached = load_cached(path, key, circuit, grid)) {
    return std::move(*cached);
  }
  NeuronTable table = simulate(pool, circuit, grid);
  write_cache(path, table);
  return table;
}

}  // namespace imcosim::imac
