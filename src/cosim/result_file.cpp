#include "imcosim/cosim/result_file.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "imcosim/cosim/error.hpp"
#include "imcosim/cosim/fc_campaign.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/version.hpp"

namespace imcosim::cosim {

namespace {

constexpr int format_version = 1;

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) {
    return "not measured";
  }
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

std::string general(double value) {
  if (!std::isfinite(value)) {
    return "not measured";
  }
  std::ostringstream text;
  text << std::setprecision(4) << value;
  return text.str();
}

std::string ratio(double value) {
  return std::isfinite(value) ? general(value) + "x" : "not measured";
}

const AccuracyFigure* find_accuracy(const CosimResult& result, const std::string& prefix) {
  for (const auto& figure : result.accuracies) {
    if (figure.name.starts_with(prefix)) {
      return &figure;
    }
  }
  return nullptr;
}

// The TPU-IMAC accuracy the comparison quotes: the circuit with its configured wires.
const AccuracyFigure& circuit_accuracy(const CosimResult& result) {
  for (const auto& figure : result.accuracies) {
    if (figure.name.starts_with("tpu-imac ") && figure.name.ends_with(" wires") &&
        figure.name != "tpu-imac ideal wires") {
      return figure;
    }
  }
  return *find_accuracy(result, "tpu-imac ideal wires");
}

double fc_latency_s(const DesignFigures& design, bool tpu_only) {
  double latency = 0.0;
  for (const auto& layer : design.layers) {
    const bool fc = tpu_only ? layer.name.starts_with("FC") : layer.unit != "tpu";
    latency += fc ? layer.latency_s : 0.0;
  }
  return latency;
}

struct Row {
  std::string figure;
  std::string tpu_only;
  std::string tpu_imac;
  std::string comparison;
};

// A TPU-IMAC total whose IMAC part may be unmeasured (NaN): then the sum of the measured parts,
// a lower bound, marked as such.
struct Total {
  double value;
  bool bound;
};

Total measured_total(const DesignFigures& design, double LayerCost::*field) {
  Total total{0.0, false};
  for (const auto& layer : design.layers) {
    if (std::isfinite(layer.*field)) {
      total.value += layer.*field;
    } else {
      total.bound = true;
    }
  }
  return total;
}

std::string lower_bound(const Total& total, double scale) {
  return (total.bound ? ">= " : "") + general(total.value * scale) +
         (total.bound ? " (IMAC part not measured)" : "");
}

std::string upper_ratio(double numerator, const Total& total) {
  return (total.bound ? "<= " : "") + general(numerator / total.value) + "x";
}

std::vector<Row> comparison_rows(const CosimResult& result) {
  const auto& int8 = *find_accuracy(result, "tpu-only int8");
  const auto& analog = circuit_accuracy(result);
  const auto& ideal = *find_accuracy(result, "tpu-imac ideal wires");
  const auto& a = result.tpu_only;
  const auto& b = result.tpu_imac;
  const Total latency = measured_total(b, &LayerCost::latency_s);
  const Total energy = measured_total(b, &LayerCost::energy_j);
  std::vector<Row> rows{
      {"accuracy (%, " + std::to_string(result.images) + " test images)",
       fixed(100.0 * int8.record.accuracy, 2) + " (int8)",
       fixed(100.0 * analog.record.accuracy, 2) + " (" + analog.name.substr(9) + "; ideal " +
           fixed(100.0 * ideal.record.accuracy, 2) + ")",
       fixed(100.0 * (analog.record.accuracy - int8.record.accuracy), 2) + " points"},
      {"latency per inference (us)", general(a.latency_s * 1e6), lower_bound(latency, 1e6),
       "speedup " + upper_ratio(a.latency_s, latency)},
      {"  of which FC layers (us)", general(fc_latency_s(a, true) * 1e6),
       "IMAC " + general(result.imac_latency_s * 1e6) + " + DAC and ADC", ""},
      {"digital weight memory (bytes)", std::to_string(a.weight_bytes),
       std::to_string(b.weight_bytes),
       "reduction " + fixed(100.0 * result.weight_memory_reduction(), 1) + " %"},
      {"bits per FC weight", general(a.bits_per_fc_weight),
       general(b.bits_per_fc_weight) + " (two 1-bit devices)",
       "reduction " + fixed(100.0 * (1.0 - b.bits_per_fc_weight / a.bits_per_fc_weight), 1) + " %"},
      {"energy per inference (uJ)", general(a.energy_j * 1e6), lower_bound(energy, 1e6),
       upper_ratio(a.energy_j, energy)},
      {"IMAC static power (mW, fast path)", "", general(result.imac_static_power_watt * 1e3), ""},
      {"area (mm^2)", general(a.area_m2 * 1e6), general(b.area_m2 * 1e6),
       ratio(b.area_m2 / a.area_m2) + " of TPU-only"},
  };
  return rows;
}

std::string csv_field(const std::string& text) {
  return text.find(',') == std::string::npos ? text : "\"" + text + "\"";
}

void write_design(io::hdf5::Group group, const DesignFigures& design) {
  group.write_double_attribute("latency_s", design.latency_s);
  group.write_double_attribute("energy_j", design.energy_j);
  group.write_int64_attribute("weight_bytes", design.weight_bytes);
  group.write_int64_attribute("fc_weights", design.fc_weights);
  group.write_double_attribute("bits_per_fc_weight", design.bits_per_fc_weight);
  group.write_double_attribute("area_m2", design.area_m2);
  Eigen::MatrixXd layers(static_cast<Eigen::Index>(design.layers.size()), 6);
  std::string names;
  std::string units;
  for (std::size_t l = 0; l < design.layers.size(); ++l) {
    const auto& layer = design.layers[l];
    layers.row(static_cast<Eigen::Index>(l)) << static_cast<double>(layer.cycles), layer.latency_s,
        static_cast<double>(layer.macs), static_cast<double>(layer.sram_bytes),
        static_cast<double>(layer.dram_bytes), layer.energy_j;
    names += (l == 0 ? "" : ",") + layer.name;
    units += (l == 0 ? "" : ",") + layer.unit;
  }
  auto table = group.write_matrix("layers", layers);
  table.write_string_attribute("columns", "cycles,latency_s,macs,sram_bytes,dram_bytes,energy_j");
  table.write_string_attribute("layer_names", names);
  table.write_string_attribute("layer_units", units);
}

void write_hdf5(const std::filesystem::path& path, const CosimResult& result,
                const RunProvenance& provenance) {
  io::AtomicFile target(path);
  {
    auto file = io::hdf5::File::create(target.temporary_path());
    file.write_string_attribute("format", "imcosim-cosim");
    file.write_int64_attribute("format_version", format_version);
    file.write_string_attribute("imcosim_version", version_string);
    file.write_string_attribute("ngspice_version", provenance.ngspice_version);
    file.write_string_attribute("configuration", provenance.configuration);
    file.write_string_attribute("command", provenance.command);
    file.write_string_attribute("model", result.model_name);
    file.write_int64_attribute("images", static_cast<std::int64_t>(result.images));
    file.write_int64_attribute("tpu_only_mismatches",
                               static_cast<std::int64_t>(result.tpu_only_mismatches));
    file.write_double_attribute("speedup", result.speedup());
    file.write_double_attribute("weight_memory_reduction", result.weight_memory_reduction());
    file.write_double_attribute("imac_latency_s", result.imac_latency_s);
    file.write_double_attribute("imac_power_watt", result.imac_power_watt);
    file.write_double_attribute("imac_static_power_watt", result.imac_static_power_watt);
    auto accuracy = file.create_group("accuracy");
    for (const auto& figure : result.accuracies) {
      // Group names without spaces, for scripts: "tpu-imac_geometry_wires".
      std::string name = figure.name;
      std::replace(name.begin(), name.end(), ' ', '_');
      auto group = accuracy.create_group(name);
      group.write_string_attribute("figure", figure.name);
      group.write_double_attribute("accuracy", figure.record.accuracy);
      group.write_int64_attribute("seed", static_cast<std::int64_t>(figure.seed));
      group.write_matrix("confusion", figure.record.confusion);
      std::vector<std::int64_t> predicted(figure.predicted.begin(), figure.predicted.end());
      group.write_int64_array("predicted", {predicted.size()}, predicted);
    }
    auto designs = file.create_group("designs");
    write_design(designs.create_group("tpu-only"), result.tpu_only);
    write_design(designs.create_group("tpu-imac"), result.tpu_imac);
    if (result.spice_check) {
      const auto& check = *result.spice_check;
      auto group = file.create_group("spice_check");
      group.write_string_attribute("analysis", check.analysis);
      group.write_double_attribute("max_difference_volt", check.max_difference_volt);
      group.write_int64_attribute("equal_classes", static_cast<std::int64_t>(check.equal_classes));
      std::vector<std::int64_t> images(check.images.begin(), check.images.end());
      group.write_int64_array("images", {images.size()}, images);
      group.write_matrix("fast_volt", check.fast_volt);
      group.write_matrix("spice_volt", check.spice_volt);
    }
    file.close();
  }
  target.commit();
}

}  // namespace

std::string comparison_table_markdown(const CosimResult& result) {
  std::ostringstream text;
  text << "| " << result.model_name << " | TPU-only | TPU-IMAC | comparison |\n|---|---|---|---|\n";
  for (const auto& row : comparison_rows(result)) {
    text << "| " << row.figure << " | " << row.tpu_only << " | " << row.tpu_imac << " | "
         << row.comparison << " |\n";
  }
  return text.str();
}

std::string comparison_table_csv(const CosimResult& result) {
  std::ostringstream text;
  text << "model,figure,tpu_only,tpu_imac,comparison\n";
  for (const auto& row : comparison_rows(result)) {
    text << result.model_name << ',' << csv_field(row.figure) << ',' << csv_field(row.tpu_only)
         << ',' << csv_field(row.tpu_imac) << ',' << csv_field(row.comparison) << '\n';
  }
  return text.str();
}

std::string layer_costs_csv(const CosimResult& result) {
  std::ostringstream text;
  text << "design,layer,unit,cycles,latency_s,macs,sram_bytes,dram_bytes,energy_j\n"
       << std::setprecision(9);
  for (const auto& [design, figures] :
       {std::pair{"tpu-only", &result.tpu_only}, std::pair{"tpu-imac", &result.tpu_imac}}) {
    for (const auto& layer : figures->layers) {
      text << design << ',' << layer.name << ',' << layer.unit << ',' << layer.cycles << ','
           << layer.latency_s << ',' << layer.macs << ',' << layer.sram_bytes << ','
           << layer.dram_bytes << ',' << layer.energy_j << '\n';
    }
  }
  return text.str();
}

void write_results(const std::filesystem::path& directory, const CosimResult& result,
                   const CosimConfig& config, const RunProvenance& provenance) {
  std::error_code status;
  std::filesystem::create_directories(directory, status);
  if (status || !std::filesystem::is_directory(directory)) {
    throw CosimError(ErrorKind::bad_input,
                     directory.string() + ": cannot create the output directory");
  }
  write_hdf5(directory / "cosim.h5", result, provenance);
  io::write_text_atomically(directory / "table.csv", comparison_table_csv(result));
  io::write_text_atomically(directory / "table.md", comparison_table_markdown(result));
  io::write_text_atomically(directory / "layers.csv", layer_costs_csv(result));
  if (result.fc_part) {
    write_fc_campaign(directory / "fc-part", *result.fc_part, config);
  }
}

}  // namespace imcosim::cosim
