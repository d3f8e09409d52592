#include "imcosim/imac/parameters.hpp"

#include <boost/program_options.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "../io/program_options_message.hpp"
#include "imcosim/circuit/error.hpp"
#include "imcosim/imac/error.hpp"

namespace imcosim::imac {

namespace {

namespace po = boost::program_options;

constexpr double infinity = std::numeric_limits<double>::infinity();

ImacParameter positive(std::string_view name, std::string_view unit, double ImacParameters::*field,
                       std::string_view description) {
  return {{.name = name,
           .unit = unit,
           .minimum = 0.0,
           .minimum_is_exclusive = true,
           .description = description},
          field};
}

ImacParameter non_negative(std::string_view name, std::string_view unit,
                           double ImacParameters::*field, std::string_view description) {
  return {{.name = name, .unit = unit, .minimum = 0.0, .description = description}, field};
}

ImacParameter bounded(std::string_view name, std::string_view unit, double ImacParameters::*field,
                      double minimum, double maximum, std::string_view description) {
  return {{.name = name,
           .unit = unit,
           .minimum = minimum,
           .maximum = maximum,
           .description = description},
          field};
}

double parse_number(const std::string& text, const std::string& where) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc{} || ptr != end) {
    throw ImacError(ErrorKind::bad_input, where + ": '" + text + "' is not a number");
  }
  return value;
}

int parse_count(const std::string& text, const std::string& where) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc{} || ptr != end || value < 1) {
    throw ImacError(ErrorKind::bad_input,
                    where + ": '" + text + "' is not a positive whole number");
  }
  return value;
}

std::vector<double> parse_list(const std::string& text, const std::string& where) {
  std::vector<double> values;
  std::istringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first == std::string::npos) {
      throw ImacError(ErrorKind::bad_input, where + ": empty entry in the list '" + text + "'");
    }
    values.push_back(parse_number(item.substr(first, last - first + 1), where));
  }
  if (values.empty()) {
    throw ImacError(ErrorKind::bad_input, where + ": the list is empty");
  }
  return values;
}

WireModel parse_wire_model(const std::string& text, const std::string& where) {
  for (const auto model : {WireModel::geometry, WireModel::ohms, WireModel::ideal}) {
    if (text == wire_model_name(model)) {
      return model;
    }
  }
  throw ImacError(ErrorKind::bad_input,
                  where + ": wire_model must be geometry, ohms or ideal, not '" + text + "'");
}

NeuronKind parse_neuron(const std::string& text, const std::string& where) {
  for (const auto kind : {NeuronKind::mtj, NeuronKind::behavioural}) {
    if (text == neuron_kind_name(kind)) {
      return kind;
    }
  }
  throw ImacError(ErrorKind::bad_input,
                  where + ": neuron must be mtj or behavioural, not '" + text + "'");
}

SensingScheme parse_sensing(const std::string& text, const std::string& where) {
  for (const auto scheme : {SensingScheme::difference, SensingScheme::tia}) {
    if (text == sensing_scheme_name(scheme)) {
      return scheme;
    }
  }
  throw ImacError(ErrorKind::bad_input,
                  where + ": sensing must be difference or tia, not '" + text + "'");
}

// The shortest text that reads back to exactly `value` (std::to_chars): 0.0002, not
// 0.00020000000000000001.
std::string exact_text(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

void require(bool condition, const std::string& where, const std::string& what) {
  if (!condition) {
    throw ImacError(ErrorKind::bad_input, where + ": " + what);
  }
}

}  // namespace

constexpr double max_supply_volt = 5.0;

const std::vector<ImacParameter>& imac_parameters() {
  using P = ImacParameters;
  static const std::vector<ImacParameter> table{
      positive("r_low", "ohm", &P::r_low_ohm, "low-resistance device state"),
      positive("r_high", "ohm", &P::r_high_ohm, "high-resistance device state"),
      positive("g_min", "S", &P::g_min_siemens, "k-level weights: conductance of weight 0"),
      positive("g_max", "S", &P::g_max_siemens, "k-level weights: conductance of weight 1"),
      // Supplies within +-5 V: the shipped transistor and MTJ models are nanometre devices
      // (their characterisation at hundreds of volts does not converge).
      bounded("vdd", "V", &P::vdd_volt, 0.0, max_supply_volt,
              "positive supply: amplifier rail, bias rows, neuron supply"),
      bounded("vss", "V", &P::vss_volt, -max_supply_volt, 0.0, "negative supply: amplifier rail"),
      bounded("neuron_vss", "V", &P::neuron_vss_volt, -max_supply_volt, max_supply_volt,
              "low supply of the neurons"),
      positive("wire_width", "m", &P::wire_width_m, "metal line width (= mean grain size)"),
      positive("wire_thickness", "m", &P::wire_thickness_m, "metal line thickness"),
      positive("cell_length", "m", &P::cell_length_m, "cell pitch along an output line"),
      positive("cell_width", "m", &P::cell_width_m, "cell pitch along an input line"),
      positive("resistivity", "ohm m", &P::resistivity_ohm_m, "bulk resistivity of the metal"),
      positive("mean_free_path", "m", &P::mean_free_path_m, "electron mean free path"),
      bounded("specularity", "1", &P::specularity, 0.0, 1.0,
              "fraction of electrons scattered specularly at the surfaces"),
      {{.name = "reflection",
        .unit = "1",
        .minimum = 0.0,
        .maximum = 1.0,
        .description = "reflection probability at grain boundaries (< 1)"},
       &P::reflection},
      non_negative("r_input_segment", "ohm", &P::r_input_segment_ohm,
                   "wire_model = ohms: resistance of one input-line segment"),
      non_negative("r_output_segment", "ohm", &P::r_output_segment_ohm,
                   "wire_model = ohms: resistance of one output-line segment"),
      non_negative("c_segment", "F", &P::c_segment_farad,
                   "line capacitance to ground per wire node (0 = none)"),
      positive("r_tia", "ohm", &P::r_tia_ohm, "sensing = tia: TIA feedback resistor"),
      positive("r_amp_in", "ohm", &P::r_amp_in_ohm, "difference amplifier input resistors"),
      positive("r_sum", "ohm", &P::r_sum_ohm, "partition summer input resistors"),
      {{.name = "opamp_gain",
        .unit = "V/V",
        .minimum = 1.0,
        .description = "op-amp open-loop DC gain"},
       &P::opamp_gain},
      non_negative("opamp_pole", "Hz", &P::opamp_pole_hz,
                   "op-amp dominant pole frequency (0 = no pole)"),
      positive("r_p", "ohm", &P::r_p_ohm, "neuron input resistor (MTJ parallel state)"),
      positive("r_ap", "ohm", &P::r_ap_ohm, "neuron feedback resistor (MTJ antiparallel state)"),
      bounded("neuron_offset", "V", &P::neuron_offset_volt, -infinity, infinity,
              "level shift added to each neuron's input"),
      positive("t_sampling", "s", &P::t_sampling_s, "duration of one input sample's window"),
      positive("t_edge", "s", &P::t_edge_s, "input rise and fall time"),
      positive("t_step", "s", &P::t_step_s, "maximum transient time step"),
      positive("settling_band", "V", &P::settling_band_volt,
               "latency: band around the final output value"),
  };
  return table;
}

std::string parameters_text(const ImacParameters& parameters) {
  std::string text;
  for (const auto& parameter : imac_parameters()) {
    text +=
        std::string(parameter.spec.name) + " = " + exact_text(parameters.*parameter.field) + '\n';
  }
  return text + "xbar_rows = " + std::to_string(parameters.xbar_rows) +
         "\nxbar_cols = " + std::to_string(parameters.xbar_cols) +
         "\nwire_model = " + wire_model_name(parameters.wire_model) +
         "\nsensing = " + sensing_scheme_name(parameters.sensing) +
         "\nneuron = " + neuron_kind_name(parameters.neuron) +
         "\namp_gains = " + amp_gains_text(parameters) + '\n';
}

std::string amp_gains_text(const ImacParameters& parameters) {
  std::string text;
  for (const double gain : parameters.amp_gains) {
    text += (text.empty() ? "" : ",") + exact_text(gain);
  }
  return text;
}

const char* wire_model_name(WireModel model) {
  switch (model) {
    case WireModel::geometry:
      return "geometry";
    case WireModel::ohms:
      return "ohms";
    case WireModel::ideal:
      return "ideal";
  }
  return "";
}

const char* neuron_kind_name(NeuronKind kind) {
  return kind == NeuronKind::mtj ? "mtj" : "behavioural";
}

const char* sensing_scheme_name(SensingScheme scheme) {
  return scheme == SensingScheme::difference ? "difference" : "tia";
}

void check_parameters(const ImacParameters& parameters, const std::string& where) {
  try {
    for (const auto& parameter : imac_parameters()) {
      parameter.spec.check(parameters.*parameter.field, where);
    }
  } catch (const circuit::CircuitError& error) {
    throw ImacError(ErrorKind::bad_input, error.what());
  }
  require(parameters.reflection < 1.0, where, "reflection must be below 1");
  require(parameters.r_low_ohm < parameters.r_high_ohm, where, "r_low must be below r_high");
  require(parameters.g_min_siemens < parameters.g_max_siemens, where, "g_min must be below g_max");
  require(parameters.vss_volt <= parameters.neuron_vss_volt &&
              parameters.neuron_vss_volt < parameters.vdd_volt,
          where, "the supplies must satisfy vss <= neuron_vss < vdd");
  require(parameters.xbar_rows >= 2 && parameters.xbar_cols >= 1, where,
          "xbar_rows must be at least 2 and xbar_cols at least 1");
  require(parameters.t_edge_s < parameters.t_sampling_s, where,
          "t_edge must be shorter than t_sampling");
  require(parameters.t_step_s <= parameters.t_edge_s, where, "t_step must not exceed t_edge");
  require(!parameters.amp_gains.empty(), where, "amp_gains is empty");
  for (const double gain : parameters.amp_gains) {
    require(std::isfinite(gain) && gain > 0.0, where, "every amp_gains entry must be > 0");
  }
}

ImacParameters read_parameters(const std::filesystem::path& config_file) {
  std::ifstream stream(config_file);
  if (!stream) {
    throw ImacError(ErrorKind::bad_input, "cannot open the config file " + config_file.string());
  }
  return parse_parameters(stream, config_file.string());
}

ImacParameters parse_parameters(std::istream& stream, const std::string& file) {
  po::options_description keys;
  for (const auto& parameter : imac_parameters()) {
    keys.add_options()(std::string(parameter.spec.name).c_str(), po::value<std::string>());
  }
  keys.add_options()("xbar_rows", po::value<std::string>())("xbar_cols", po::value<std::string>())(
      "wire_model", po::value<std::string>())("neuron", po::value<std::string>())(
      "sensing", po::value<std::string>())("amp_gains", po::value<std::string>());
  po::variables_map values;
  try {
    po::store(po::parse_config_file(stream, keys, false), values);
  } catch (const po::error& error) {
    throw ImacError(ErrorKind::bad_input, file + ": " + io::program_options_message(error));
  }

  ImacParameters parameters;
  const auto text = [&](const std::string& key) { return values[key].as<std::string>(); };
  for (const auto& parameter : imac_parameters()) {
    const std::string key(parameter.spec.name);
    if (values.count(key) != 0) {
      parameters.*parameter.field = parse_number(text(key), file + ": " + key);
    }
  }
  if (values.count("xbar_rows") != 0) {
    parameters.xbar_rows = parse_count(text("xbar_rows"), file + ": xbar_rows");
  }
  if (values.count("xbar_cols") != 0) {
    parameters.xbar_cols = parse_count(text("xbar_cols"), file + ": xbar_cols");
  }
  if (values.count("wire_model") != 0) {
    parameters.wire_model = parse_wire_model(text("wire_model"), file);
  }
  if (values.count("neuron") != 0) {
    parameters.neuron = parse_neuron(text("neuron"), file);
  }
  if (values.count("sensing") != 0) {
    parameters.sensing = parse_sensing(text("sensing"), file);
  }
  if (values.count("amp_gains") != 0) {
    parameters.amp_gains = parse_list(text("amp_gains"), file + ": amp_gains");
  }
  check_parameters(parameters, file);
  return parameters;
}

}  // namespace imcosim::imac
