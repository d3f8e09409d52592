#include "imcosim/cosim/config.hpp"

#include <boost/program_options.hpp>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>
#include <vector>

#include "../io/ini_keys.hpp"
#include "../io/program_options_message.hpp"
#include "imcosim/cosim/error.hpp"
#include "imcosim/device/error.hpp"
#include "imcosim/device/random_stream.hpp"

namespace imcosim::cosim {

namespace po = boost::program_options;

namespace {

// One numeric cost key: [section] name, unit, and where CostParameters keeps it.
struct CostKey {
  const char* key;
  const char* unit;
  double CostParameters::*field;
};

const std::vector<CostKey>& cost_keys() {
  static const std::vector<CostKey> keys{
      {"tpu.clock_mhz", "MHz", &CostParameters::clock_mhz},
      {"energy.mac_pj", "pJ", &CostParameters::mac_pj},
      {"energy.sram_pj_per_byte", "pJ", &CostParameters::sram_pj_per_byte},
      {"energy.dram_pj_per_byte", "pJ", &CostParameters::dram_pj_per_byte},
      {"conversion.dac_pj", "pJ", &CostParameters::dac_pj},
      {"conversion.dac_ns", "ns", &CostParameters::dac_ns},
      {"conversion.adc_pj", "pJ", &CostParameters::adc_pj},
      {"conversion.adc_ns", "ns", &CostParameters::adc_ns},
      {"area.pe_um2", "um^2", &CostParameters::pe_um2},
      {"area.sram_um2_per_kib", "um^2", &CostParameters::sram_um2_per_kib},
      {"area.opamp_um2", "um^2", &CostParameters::opamp_um2},
      {"area.neuron_um2", "um^2", &CostParameters::neuron_um2},
      {"area.dac_um2", "um^2", &CostParameters::dac_um2},
      {"area.adc_um2", "um^2", &CostParameters::adc_um2},
  };
  return keys;
}

// The device keys a co-simulation takes: the device model's variation, faults and drift. Its
// states and conductances are the circuit's (the weights' devices).
const std::vector<std::string>& device_keys() {
  static const std::vector<std::string> keys{
      "d2d_spread_percent", "stuck_lrs_fraction", "stuck_hrs_fraction", "drift_nu",
      "drift_t0",           "read_time",          "c2c_noise_percent"};
  return keys;
}

po::options_description config_keys() {
  const CosimConfig defaults;
  po::options_description keys;
  keys.add_options()                                                                //
      ("cosim.seed", po::value<std::uint64_t>()->default_value(defaults.seed))      //
      ("cosim.dataset", po::value<std::string>()->default_value(defaults.dataset))  //
      ("cosim.test_images", po::value<std::size_t>()->default_value(0))             //
      ("tpu_only.model", po::value<std::string>())                                  //
      ("tpu_only.calibration_images",
       po::value<std::size_t>()->default_value(defaults.calibration_images))        //
      ("tpu_imac.model", po::value<std::string>())                                  //
      ("tpu_imac.circuit", po::value<std::string>())                                //
      ("tpu.config", po::value<std::string>())                                      //
      ("tpu.array_rows", po::value<std::int64_t>())                                 //
      ("tpu.array_cols", po::value<std::int64_t>())                                 //
      ("tpu.dataflow", po::value<std::string>())                                    //
      ("tpu.ifmap_sram_kib", po::value<std::int64_t>())                             //
      ("tpu.filter_sram_kib", po::value<std::int64_t>())                            //
      ("tpu.ofmap_sram_kib", po::value<std::int64_t>())                             //
      ("device.draws", po::value<std::int64_t>()->default_value(0))                 //
      ("device.d2d_distribution", po::value<std::string>()->default_value("none"))  //
      ("spice.every", po::value<std::int64_t>()->default_value(0))                  //
      ("spice.analysis", po::value<std::string>()->default_value("op"))             //
      ("spice.latency_images", po::value<std::int64_t>()->default_value(0));
  for (const auto& key : device_keys()) {
    keys.add_options()(("device." + key).c_str(), po::value<double>());
  }
  for (const auto& cost : cost_keys()) {
    keys.add_options()(cost.key, po::value<double>()->default_value(defaults.costs.*cost.field));
  }
  return keys;
}

using Keys = io::IniKeys<CosimError>;

// The array: a SCALE-Sim .cfg, or the keys (SCALE-Sim's defaults where none is given).
tpu::ArchitectureConfig parse_array(const Keys& keys, const std::filesystem::path& path) {
  const std::vector<std::string> array_keys{"tpu.array_rows",      "tpu.array_cols",
                                            "tpu.dataflow",        "tpu.ifmap_sram_kib",
                                            "tpu.filter_sram_kib", "tpu.ofmap_sram_kib"};
  if (keys.given("tpu.config")) {
    for (const auto& key : array_keys) {
      if (keys.given(key)) {
        throw keys.error(key, "is given together with config; the SCALE-Sim file sets the array");
      }
    }
    const auto file = keys.existing_file("tpu.config", path);
    try {
      return tpu::read_architecture_config(file);
    } catch (const Error& error) {
      throw CosimError(ErrorKind::bad_input, keys.where("tpu.config") + ": " + error.what());
    }
  }
  tpu::ArchitectureConfig array;
  array.run_name = "cosim";
  array.array = {32, 32};
  array.ifmap_sram_kib = 64;
  array.filter_sram_kib = 64;
  array.ofmap_sram_kib = 64;
  const auto optional_integer = [&](const std::string& key, std::int64_t& field) {
    if (keys.given(key)) {
      field = keys.integer_at_least(key, 1);
    }
  };
  optional_integer("tpu.array_rows", array.array.rows);
  optional_integer("tpu.array_cols", array.array.cols);
  optional_integer("tpu.ifmap_sram_kib", array.ifmap_sram_kib);
  optional_integer("tpu.filter_sram_kib", array.filter_sram_kib);
  optional_integer("tpu.ofmap_sram_kib", array.ofmap_sram_kib);
  if (keys.given("tpu.dataflow")) {
    const auto code = keys.get<std::string>("tpu.dataflow");
    try {
      array.dataflow = tpu::parse_dataflow(code);
    } catch (const Error&) {
      throw keys.error("tpu.dataflow", "= '" + code + "' is unknown; expected os, ws or is");
    }
  }
  return array;
}

void parse_device(const po::variables_map& values, const Keys& keys, CosimConfig& config) {
  config.device_draws = keys.integer_at_least("device.draws", 0);
  try {
    config.device.d2d_variation = device::parse_variation(
        keys.get<std::string>("device.d2d_distribution"), keys.where("device.d2d_distribution"));
  } catch (const device::DeviceError& error) {
    throw CosimError(ErrorKind::bad_input, error.what());
  }
  for (const auto& parameter : device::device_parameters) {
    const std::string key = "device." + std::string(parameter.spec.name);
    if (values.count(key) != 0) {
      config.device.*parameter.field = values[key].as<double>();
    }
  }
  if (config.device.c2c_noise_percent > 0.0) {
    // A read-noise draw per image would need the circuit solved afresh for every image.
    throw keys.error("device.c2c_noise_percent",
                     "is not supported by the co-simulation yet: each draw programs the devices "
                     "once and reads them once for every image (use imcosim montecarlo for read "
                     "noise)");
  }
  const bool varies = config.device.d2d_variation != device::Variation::none ||
                      config.device.stuck_lrs_fraction > 0.0 ||
                      config.device.stuck_hrs_fraction > 0.0 || config.device.drift_nu > 0.0;
  if (varies && config.device_draws == 0) {
    throw keys.error("device.draws",
                     "is 0 but the section sets a non-ideality: give the number "
                     "of Monte Carlo device draws");
  }
}

std::string number_text(double value) {
  std::ostringstream text;
  text << std::setprecision(17) << value;
  return text.str();
}

}  // namespace

CosimConfig read_cosim_config(const std::filesystem::path& path,
                              const std::vector<std::string>& overrides) {
  const std::string file = path.string();
  // 1. Parse the overrides, then the INI file, against the declared keys; anything undeclared is
  //    an error. A value stored first wins, so an override replaces the file's setting.
  std::ifstream stream(path);
  if (!stream) {
    throw CosimError(ErrorKind::bad_input, file + ": cannot open the configuration file");
  }
  po::variables_map values;
  std::set<std::string> overridden;
  std::ostringstream override_text;
  for (const auto& setting : overrides) {
    const auto equals = setting.find('=');
    const auto dot = setting.find('.');
    if (equals == std::string::npos || dot == std::string::npos || dot > equals) {
      throw CosimError(ErrorKind::bad_input, "--set '" + setting + "': expected section.key=value");
    }
    const std::string key = setting.substr(0, equals);
    overridden.insert(key);
    override_text << '[' << key.substr(0, dot) << "]\n"
                  << key.substr(dot + 1) << " = " << setting.substr(equals + 1) << '\n';
  }
  try {
    std::istringstream override_stream(override_text.str());
    po::store(po::parse_config_file(override_stream, config_keys(), false), values);
  } catch (const po::error& error) {
    throw CosimError(ErrorKind::bad_input, std::string("--set: ") +
                                               io::program_options_message(error) +
                                               " (see docs/cosim.md for every key)");
  }
  try {
    po::store(po::parse_config_file(stream, config_keys(), false), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw CosimError(ErrorKind::bad_input, file + ": " + io::program_options_message(error) +
                                               " (see docs/cosim.md for every key)");
  }
  const Keys keys(values, file, std::move(overridden));

  // 2. Convert and check each section.
  CosimConfig config;
  config.file = path;
  config.seed = keys.get<std::uint64_t>("cosim.seed");
  if (config.seed >= device::seed_limit) {
    throw keys.error("cosim.seed", "must be below 2^53");
  }
  config.dataset = keys.get<std::string>("cosim.dataset");
  if (config.dataset != "fashion-mnist" && !config.dataset.starts_with("fashion-mnist:")) {
    config.dataset = keys.existing_file("cosim.dataset", path).string();
  }
  config.test_images = keys.get<std::size_t>("cosim.test_images");
  config.tpu_only_model = keys.existing_file("tpu_only.model", path);
  config.calibration_images = keys.get<std::size_t>("tpu_only.calibration_images");
  if (config.calibration_images == 0) {
    throw keys.error("tpu_only.calibration_images", "must be at least 1");
  }
  config.tpu_imac_model = keys.existing_file("tpu_imac.model", path);
  if (keys.given("tpu_imac.circuit")) {
    config.circuit_file = keys.existing_file("tpu_imac.circuit", path);
    try {
      config.circuit = imac::read_parameters(config.circuit_file);
    } catch (const Error& error) {
      throw CosimError(ErrorKind::bad_input, keys.where("tpu_imac.circuit") + ": " + error.what());
    }
  }
  config.architecture = parse_array(keys, path);
  parse_device(values, keys, config);
  config.spice_every = keys.integer_at_least("spice.every", 0);
  const auto analysis = keys.get<std::string>("spice.analysis");
  if (analysis != "op" && analysis != "tran") {
    throw keys.error("spice.analysis", "= '" + analysis + "' is unknown; expected op or tran");
  }
  config.spice_analysis = imac::parse_imac_analysis(analysis);
  config.latency_images = keys.integer_at_least("spice.latency_images", 0);
  for (const auto& cost : cost_keys()) {
    const double value = values[cost.key].as<double>();
    if (!std::isfinite(value) || value < 0.0 ||
        (value == 0.0 && std::string(cost.key) == "tpu.clock_mhz")) {
      throw keys.error(cost.key, "= " + number_text(value) + " must be a finite value >= 0 (" +
                                     cost.unit + "; the clock > 0)");
    }
    config.costs.*cost.field = value;
  }
  return config;
}

std::string canonical_text(const CosimConfig& config) {
  std::ostringstream text;
  text << "cosim.seed = " << config.seed << "\ncosim.dataset = " << config.dataset
       << "\ncosim.test_images = " << config.test_images
       << "\ntpu_only.model = " << config.tpu_only_model.string()
       << "\ntpu_only.calibration_images = " << config.calibration_images
       << "\ntpu_imac.model = " << config.tpu_imac_model.string()
       << "\ntpu_imac.circuit = " << config.circuit_file.string()
       << "\ntpu.array_rows = " << config.architecture.array.rows
       << "\ntpu.array_cols = " << config.architecture.array.cols
       << "\ntpu.dataflow = " << tpu::dataflow_code(config.architecture.dataflow)
       << "\ntpu.ifmap_sram_kib = " << config.architecture.ifmap_sram_kib
       << "\ntpu.filter_sram_kib = " << config.architecture.filter_sram_kib
       << "\ntpu.ofmap_sram_kib = " << config.architecture.ofmap_sram_kib
       << "\ndevice.draws = " << config.device_draws
       << "\ndevice.d2d_distribution = " << device::variation_name(config.device.d2d_variation);
  for (const auto& parameter : device::device_parameters) {
    text << "\ndevice." << parameter.spec.name << " = "
         << number_text(config.device.*parameter.field);
  }
  text << "\nspice.every = " << config.spice_every
       << "\nspice.analysis = " << imac::imac_analysis_name(config.spice_analysis)
       << "\nspice.latency_images = " << config.latency_images;
  for (const auto& cost : cost_keys()) {
    text << '\n' << cost.key << " = " << number_text(config.costs.*cost.field);
  }
  text << '\n';
  return text.str();
}

}  // namespace imcosim::cosim
