#include <sstream>
#include <string_view>
#include <vector>

#include "imcosim/campaign/config.hpp"

namespace imcosim::campaign {

namespace {

class CanonicalWriter {
 public:
  CanonicalWriter() { text_.precision(17); }

  template <typename Value>
  void line(std::string_view key, const Value& value) {
    text_ << key << " = " << value << '\n';
  }

  [[nodiscard]] std::string str() const { return text_.str(); }

 private:
  std::ostringstream text_;
};

// Numbers with 17 significant digits (exact), separated by `separator`.
std::string joined_exactly(const std::vector<double>& values, std::string_view separator) {
  std::ostringstream text;
  text.precision(17);
  for (const double value : values) {
    text << (text.tellp() > 0 ? separator : "") << value;
  }
  return text.str();
}

// The network's shape and every value of its circuit (the weights themselves enter the
// configuration hash, not the text).
void write_network(CanonicalWriter& out, const NetworkSubject& network) {
  out.line("network.model", network.model_file.filename().string());
  out.line("network.circuit", network.circuit_file.filename().string());
  const auto& model = *network.model;
  std::string sizes = std::to_string(model.input_count());
  for (const auto& layer : model.layers()) {
    sizes += "-" + std::to_string(layer.weight.rows());
  }
  out.line("network.sizes", sizes);
  out.line("network.encoding", imac::encoding_name(model.encoding()));
  out.line("network.levels", model.levels());
  const auto& circuit = network.circuit;
  for (const auto& parameter : imac::imac_parameters()) {
    out.line("circuit." + std::string(parameter.spec.name), circuit.*parameter.field);
  }
  out.line("circuit.xbar_rows", circuit.xbar_rows);
  out.line("circuit.xbar_cols", circuit.xbar_cols);
  out.line("circuit.wire_model", imac::wire_model_name(circuit.wire_model));
  out.line("circuit.sensing", imac::sensing_scheme_name(circuit.sensing));
  out.line("circuit.neuron", imac::neuron_kind_name(circuit.neuron));
  out.line("circuit.amp_gains", imac::amp_gains_text(circuit));
}

}  // namespace

std::string canonical_text(const CampaignConfig& config) {
  CanonicalWriter out;
  out.line("campaign.seed", config.seed);
  out.line("campaign.vectors_per_sample", config.vectors_per_sample);
  if (config.network) {
    write_network(out, *config.network);
  } else {
    out.line("tile.rows", config.rows);
    out.line("tile.cols", config.cols);
    for (const auto& parameter : circuit::wire_parameters) {
      out.line("tile." + std::string(parameter.spec.name), config.wires.*parameter.field);
    }
    out.line("tile.targets", target_mode_name(config.targets));
  }
  out.line("device.states", device::state_set_name(config.device.states));
  out.line("device.conductances", joined_exactly(config.device.listed_g_siemens, " "));
  out.line("device.d2d_distribution", device::variation_name(config.device.d2d_variation));
  for (const auto& parameter : device::device_parameters) {
    out.line("device." + std::string(parameter.spec.name), config.device.*parameter.field);
  }
  out.line("inputs.source", input_source_name(config.input_source));
  if (config.input_source == InputSource::random) {
    out.line("inputs.v_min", config.v_min_volt);
    out.line("inputs.v_max", config.v_max_volt);
  } else {
    out.line("inputs.file", config.input_file.filename().string());
  }
  if (config.network) {
    out.line("backends.fast", config.fast ? "true" : "false");
  } else {
    out.line("backends.ideal", config.ideal ? "true" : "false");
    out.line("backends.solver",
             config.solver ? std::string(solver::method_name(*config.solver)) : "none");
  }
  out.line("backends.spice_every", config.spice_every);
  out.line("output.store_conductances", config.store_conductances ? "true" : "false");
  out.line("output.store_targets", config.store_targets ? "true" : "false");
  out.line("output.deflate_level", config.deflate_level);
  return out.str();
}

}  // namespace imcosim::campaign
