#include <sstream>

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

}  // namespace

std::string canonical_text(const CampaignConfig& config) {
  CanonicalWriter out;
  out.line("campaign.samples", config.samples);
  out.line("campaign.seed", config.seed);
  out.line("campaign.vectors_per_sample", config.vectors_per_sample);
  out.line("tile.rows", config.rows);
  out.line("tile.cols", config.cols);
  for (const auto& parameter : circuit::wire_parameters) {
    out.line("tile." + std::string(parameter.spec.name), config.wires.*parameter.field);
  }
  out.line("tile.targets", target_mode_name(config.targets));
  out.line("device.states", device::state_set_name(config.device.states));
  std::ostringstream listed;
  listed.precision(17);
  for (const double g_siemens : config.device.listed_g_siemens) {
    listed << (listed.tellp() > 0 ? " " : "") << g_siemens;
  }
  out.line("device.conductances", listed.str());
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
  out.line("backends.ideal", config.ideal ? "true" : "false");
  out.line("backends.solver",
           config.solver ? std::string(solver::method_name(*config.solver)) : "none");
  out.line("backends.spice_every", config.spice_every);
  out.line("output.store_conductances", config.store_conductances ? "true" : "false");
  out.line("output.deflate_level", config.deflate_level);
  return out.str();
}

}  // namespace imcosim::campaign
