#include "imcosim/campaign/config.hpp"

#include <boost/program_options.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "../io/ini_keys.hpp"
#include "../io/program_options_message.hpp"
#include "imcosim/campaign/error.hpp"
#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/circuit/error.hpp"
#include "imcosim/device/error.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/memory_budget.hpp"
#include "imcosim/solver/error.hpp"

namespace imcosim::campaign {

namespace po = boost::program_options;

namespace {

// Every key the file may hold, with its type and default. Numeric device and wire parameters
// come from their declarations (device::device_parameters, circuit::wire_parameters).
po::options_description config_keys() {
  po::options_description keys;
  const CampaignConfig defaults;
  keys.add_options()("campaign.samples", po::value<std::int64_t>())("campaign.seed",
                                                                    po::value<std::string>())(
      "campaign.vectors_per_sample",
      po::value<std::int64_t>()->default_value(defaults.vectors_per_sample))(
      "campaign.block_samples", po::value<std::int64_t>()->default_value(defaults.block_samples))(
      "tile.rows", po::value<std::int64_t>())("tile.cols", po::value<std::int64_t>())(
      "tile.targets", po::value<std::string>()->default_value("shared"))(
      "network.model", po::value<std::string>())("network.circuit", po::value<std::string>())(
      "device.states", po::value<std::string>()->default_value("binary"))(
      "device.conductances", po::value<std::string>()->default_value(""))(
      "device.d2d_distribution", po::value<std::string>()->default_value("none"))(
      "inputs.source", po::value<std::string>()->default_value("random"))(
      "inputs.v_min", po::value<double>()->default_value(defaults.v_min_volt))(
      "inputs.v_max", po::value<double>()->default_value(defaults.v_max_volt))(
      "inputs.file", po::value<std::string>()->default_value(""))(
      "backends.ideal", po::value<bool>()->default_value(defaults.ideal))(
      "backends.solver", po::value<std::string>()->default_value("direct"))(
      "backends.fast", po::value<bool>()->default_value(defaults.fast))(
      "backends.spice_every", po::value<std::int64_t>()->default_value(defaults.spice_every))(
      "output.store_conductances", po::value<bool>()->default_value(defaults.store_conductances))(
      "output.store_targets", po::value<bool>()->default_value(defaults.store_targets))(
      "output.deflate_level", po::value<int>()->default_value(defaults.deflate_level));
  for (const auto& parameter : circuit::wire_parameters) {
    keys.add_options()(("tile." + std::string(parameter.spec.name)).c_str(),
                       po::value<double>()->default_value(0.0));
  }
  const device::DeviceParameters device_defaults;
  for (const auto& parameter : device::device_parameters) {
    keys.add_options()(("device." + std::string(parameter.spec.name)).c_str(),
                       po::value<double>()->default_value(device_defaults.*parameter.field));
  }
  return keys;
}

using KeyReader = io::IniKeys<CampaignError>;

std::uint64_t parse_seed(const KeyReader& keys) {
  const auto text = keys.get<std::string>("campaign.seed");
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || value < 0) {
    throw keys.error("campaign.seed",
                     "= '" + text + "' must be an integer from 0 to 9223372036854775807");
  }
  return static_cast<std::uint64_t>(value);
}

std::vector<double> parse_conductance_list(const KeyReader& keys) {
  std::string text = keys.get<std::string>("device.conductances");
  for (char& character : text) {
    if (character == ',') {
      character = ' ';
    }
  }
  std::istringstream words(text);
  std::vector<double> values;
  for (std::string word; words >> word;) {
    char* end = nullptr;
    const double value = std::strtod(word.c_str(), &end);
    if (*end != '\0') {
      throw keys.error("device.conductances", "holds '" + word + "', which is not a number");
    }
    values.push_back(value);
  }
  return values;
}

std::optional<solver::SolverMethod> parse_solver(const KeyReader& keys) {
  const auto name = keys.get<std::string>("backends.solver");
  if (name == "none") {
    return std::nullopt;
  }
  try {
    return solver::parse_method(name);
  } catch (const solver::SolverError&) {
    throw keys.error("backends.solver", "= '" + name +
                                            "' is unknown; expected none, auto, direct, transfer, "
                                            "iterative or ideal");
  }
}

// The device section: enumerations by name, numbers through their declarations (checked by
// device::DeviceModel, whose errors name the section).
device::DeviceParameters parse_device(const po::variables_map& values, const KeyReader& keys) {
  device::DeviceParameters device;
  device.states =
      device::parse_state_set(keys.get<std::string>("device.states"), keys.where("device.states"));
  device.d2d_variation = device::parse_variation(keys.get<std::string>("device.d2d_distribution"),
                                                 keys.where("device.d2d_distribution"));
  device.listed_g_siemens = parse_conductance_list(keys);
  if (device.states != device::StateSet::list && !device.listed_g_siemens.empty()) {
    throw keys.error("device.conductances", "is given but states is not 'list'");
  }
  for (const auto& parameter : device::device_parameters) {
    device.*parameter.field = values["device." + std::string(parameter.spec.name)].as<double>();
  }
  return device;
}

// Re-raises an error of the IMAC reader naming the configuration key that led to it: a model or
// circuit that cannot be read is bad input, whatever the reader's reason.
template <typename Read>
auto read_for_key(const KeyReader& keys, const std::string& key, const Read& read) {
  try {
    return read();
  } catch (const Error& error) {
    throw CampaignError(ErrorKind::bad_input, keys.where(key) + ": " + error.what());
  }
}

// [network]: the model, its circuit, and what they fix of the other sections. The device
// model's states are the circuit's: a stuck device sits in the state the same technology
// programs (LRS = R_low, HRS = R_high; g_max and g_min for k-level weights), so the circuit file
// is the one place that says what the devices' conductances are.
NetworkSubject parse_network(const KeyReader& keys, const std::filesystem::path& path,
                             CampaignConfig& config) {
  for (const char* key : {"backends.ideal", "backends.solver"}) {
    if (keys.given(key)) {
      throw keys.error(key,
                       "is for tile campaigns; a network's back-ends are nominal, fast and "
                       "ngspice (spice_every)");
    }
  }
  for (const char* key :
       {"device.states", "device.levels", "device.conductances", "device.g_min", "device.g_max"}) {
    if (keys.given(key)) {
      throw keys.error(key,
                       "is set by the network: its devices hold the weights, at the conductances "
                       "of the circuit file (r_low, r_high; g_min, g_max for k-level weights)");
    }
  }
  NetworkSubject network;
  network.model_file = keys.existing_file("network.model", path);
  network.model = read_for_key(keys, "network.model", [&] {
    return std::make_shared<const imac::ImacModel>(imac::read_model(network.model_file));
  });
  if (keys.given("network.circuit")) {
    network.circuit_file = keys.existing_file("network.circuit", path);
    network.circuit = read_for_key(keys, "network.circuit",
                                   [&] { return imac::read_parameters(network.circuit_file); });
  }
  // The circuit must fit the model (e.g. one amplifier gain per layer).
  read_for_key(keys, network.circuit_file.empty() ? "network.model" : "network.circuit",
               [&] { return imac::ImacNetwork(*network.model, network.circuit).tile_count(); });

  config.rows = network.model->input_count();
  config.cols = network.model->output_count();
  config.ideal = false;
  config.solver = std::nullopt;
  const bool k_level = network.model->encoding() == imac::WeightEncoding::k_level;
  config.device.g_min_siemens =
      k_level ? network.circuit.g_min_siemens : 1.0 / network.circuit.r_high_ohm;
  config.device.g_max_siemens =
      k_level ? network.circuit.g_max_siemens : 1.0 / network.circuit.r_low_ohm;
  return network;
}

// Sizes are checked before anything is drawn or written: one sample's device matrices (its
// targets and programmed conductances) with its input and output vectors, then a first block of
// such samples, all float64, must fit in memory, and the dataset's rows must be countable. The
// estimate is a lower bound (the solvers need more), so what it refuses cannot run.
void check_sizes(const CampaignConfig& config, const KeyReader& keys) {
  const auto count = [](auto value) { return static_cast<std::uint64_t>(value); };
  if (saturating_product({count(config.samples), count(config.vectors_per_sample)}) >
      count(std::numeric_limits<std::int64_t>::max())) {
    throw keys.error("campaign.vectors_per_sample",
                     "= " + std::to_string(config.vectors_per_sample) +
                         " times samples = " + std::to_string(config.samples) +
                         " rows exceeds the 2^63 - 1 rows a dataset can hold");
  }
  if (!config.network) {
    try {
      circuit::check_tile_size(static_cast<std::uint64_t>(config.rows),
                               static_cast<std::uint64_t>(config.cols), keys.where("tile.rows"));
    } catch (const circuit::CircuitError& error) {
      throw CampaignError(ErrorKind::bad_input, error.what());
    }
  }
  // The nominal output, then ideal and solver for tiles, fast for networks.
  const std::uint64_t outputs = 1 + (config.ideal ? 1U : 0U) + (config.solver ? 1U : 0U) +
                                (config.network && config.fast ? 1U : 0U);
  const std::uint64_t device_bytes =
      config.network ? 0 : saturating_product({count(config.rows), count(config.cols), 2, 8});
  const std::uint64_t sample_bytes = saturating_sum(
      {device_bytes,
       saturating_product(
           {count(config.vectors_per_sample),
            saturating_sum({count(config.rows), saturating_product({outputs, count(config.cols)})}),
            8})});
  const std::string sample = std::to_string(config.rows) + " x " + std::to_string(config.cols) +
                             " with " + std::to_string(config.vectors_per_sample) +
                             " input vector(s)";
  if (auto shortfall = memory_shortfall(sample_bytes, "one sample of " + sample);
      !shortfall.empty()) {
    throw config.network
        ? keys.error("campaign.vectors_per_sample",
                     "= " + std::to_string(config.vectors_per_sample) + ": " + shortfall)
        : keys.error("tile.rows", "= " + std::to_string(config.rows) +
                                      ", cols = " + std::to_string(config.cols) + ": " + shortfall);
  }
  const auto block = std::min(config.samples, std::int64_t{config.block_samples});
  if (auto shortfall =
          memory_shortfall(saturating_product({count(block), sample_bytes}),
                           "a block of " + std::to_string(block) + " samples of " + sample);
      !shortfall.empty()) {
    throw keys.error("campaign.block_samples", "= " + std::to_string(config.block_samples) + ": " +
                                                   shortfall + "; take fewer per block");
  }
}

}  // namespace

std::string_view target_mode_name(TargetMode mode) {
  return mode == TargetMode::shared ? "shared" : "per_sample";
}

std::string_view input_source_name(InputSource source) {
  return source == InputSource::random ? "random" : "file";
}

CampaignConfig read_campaign_config(const std::filesystem::path& path) {
  const std::string file = path.string();
  // 1. Parse the INI file against the declared keys; anything undeclared is an error.
  std::ifstream stream(path);
  if (!stream) {
    throw CampaignError(ErrorKind::bad_input, file + ": cannot open the configuration file");
  }
  po::variables_map values;
  try {
    po::store(po::parse_config_file(stream, config_keys(), false), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw CampaignError(ErrorKind::bad_input, file + ": " + io::program_options_message(error) +
                                                  " (see docs/campaign.md for every key)");
  }
  const KeyReader keys(values, file);

  // 2. Convert and check each section.
  CampaignConfig config;
  config.samples = keys.integer_at_least("campaign.samples", 1);
  config.seed = parse_seed(keys);
  config.vectors_per_sample = keys.integer_at_least("campaign.vectors_per_sample", 1);
  config.block_samples = keys.integer_at_least("campaign.block_samples", 1);

  // A campaign's subject is one crossbar tile or one IMAC network.
  const bool network = keys.section_given("network");
  if (network && keys.section_given("tile")) {
    throw CampaignError(ErrorKind::bad_input,
                        file +
                            ": has both a [tile] and a [network] section; a campaign's subject "
                            "is one crossbar tile or one IMAC network");
  }
  if (!network) {
    if (keys.given("backends.fast")) {
      throw keys.error("backends.fast", "is for network campaigns ([network])");
    }
    config.rows = keys.integer_at_least("tile.rows", 1);
    config.cols = keys.integer_at_least("tile.cols", 1);
  }
  for (const auto& parameter : circuit::wire_parameters) {
    const std::string key = "tile." + std::string(parameter.spec.name);
    config.wires.*parameter.field = values[key].as<double>();
    try {
      parameter.spec.check(config.wires.*parameter.field, keys.where(key));
    } catch (const circuit::CircuitError& error) {
      throw CampaignError(ErrorKind::bad_input, error.what());
    }
  }
  const auto targets = keys.get<std::string>("tile.targets");
  if (targets != "shared" && targets != "per_sample") {
    throw keys.error("tile.targets",
                     "= '" + targets + "' is unknown; expected shared or per_sample");
  }
  config.targets = targets == "shared" ? TargetMode::shared : TargetMode::per_sample;

  config.device = parse_device(values, keys);
  if (network) {
    config.network = parse_network(keys, path, config);
  }
  const device::DeviceModel check_device(config.device, file + ": [device]");

  const auto source = keys.get<std::string>("inputs.source");
  if (source != "random" && source != "file") {
    throw keys.error("inputs.source", "= '" + source + "' is unknown; expected random or file");
  }
  config.input_source = source == "random" ? InputSource::random : InputSource::file;
  config.v_min_volt = keys.get<double>("inputs.v_min");
  config.v_max_volt = keys.get<double>("inputs.v_max");
  if (network) {
    // A network's inputs come from the neurons of a previous analog layer or the TPU: 0 to 0.8 V.
    config.v_min_volt = keys.given("inputs.v_min") ? config.v_min_volt : 0.0;
    config.v_max_volt = keys.given("inputs.v_max") ? config.v_max_volt : 0.8;
  }
  const auto input_file = keys.get<std::string>("inputs.file");
  if (config.input_source == InputSource::random) {
    if (!std::isfinite(config.v_min_volt) || !std::isfinite(config.v_max_volt) ||
        !(config.v_min_volt < config.v_max_volt)) {
      throw keys.error("inputs.v_min",
                       "and v_max give an empty input range: v_min must be below "
                       "v_max (volts, finite)");
    }
    if (!input_file.empty()) {
      throw keys.error("inputs.file", "is given but source is random");
    }
  } else {
    if (input_file.empty()) {
      throw keys.error("inputs.file", "is required when source = file");
    }
    config.input_file = keys.existing_file("inputs.file", path);
  }

  if (!network) {
    config.ideal = keys.get<bool>("backends.ideal");
    config.solver = parse_solver(keys);
  }
  config.fast = keys.get<bool>("backends.fast");
  config.spice_every = keys.integer_at_least("backends.spice_every", 0);

  config.store_conductances = keys.get<bool>("output.store_conductances");
  config.store_targets = keys.get<bool>("output.store_targets");
  config.deflate_level = keys.get<int>("output.deflate_level");
  if (config.deflate_level < 0 || config.deflate_level > 9) {
    throw keys.error("output.deflate_level",
                     "= " + std::to_string(config.deflate_level) + " must be from 0 to 9");
  }

  // 3. Sizes, before anything is allocated.
  check_sizes(config, keys);
  return config;
}

}  // namespace imcosim::campaign
