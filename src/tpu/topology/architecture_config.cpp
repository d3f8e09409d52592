#include <map>
#include <string>
#include <utility>

#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/dataflow.hpp"
#include "imcosim/tpu/error.hpp"
#include "text_fields.hpp"

namespace imcosim::tpu {

namespace {

using detail::location;
using detail::trim;

// Bounds that keep every product the model forms inside 64 bits: SRAM sizes up to 1 PiB (in
// KiB, multiplied by 1024), addresses and bandwidths exact as doubles.
constexpr std::int64_t max_sram_kib = std::int64_t{1} << 40;
constexpr std::int64_t max_count = std::int64_t{1} << 53;

struct IniValue {
  std::string text;
  std::size_t line_number = 0;
};

// section name -> lower-case key -> value, as Python's configparser reads a SCALE-Sim .cfg.
using IniSections = std::map<std::string, std::map<std::string, IniValue>>;

IniSections parse_ini(std::string_view text, std::string_view source_name) {
  IniSections sections;
  std::string current_section;
  const auto lines = detail::split_lines(text);
  for (std::size_t index = 0; index < lines.size(); ++index) {
    const std::size_t line_number = index + 1;
    const auto line = trim(lines[index]);
    if (line.empty() || line.front() == '#' || line.front() == ';') {
      continue;
    }
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) {
        throw TpuError(location(source_name, line_number) +
                       "expected a section header like [architecture_presets], got '" +
                       std::string(line) + "'");
      }
      current_section = std::string(trim(line.substr(1, line.size() - 2)));
      // configparser, whose format SCALE-Sim's .cfg follows, refuses a repeated section or key
      // rather than letting the last one win silently.
      if (!sections.try_emplace(current_section).second) {
        throw TpuError(location(source_name, line_number) + "section [" + current_section +
                       "] appears a second time");
      }
      continue;
    }
    const auto separator = line.find_first_of("=:");
    if (separator == std::string_view::npos || separator == 0) {
      throw TpuError(location(source_name, line_number) + "expected 'key = value', got '" +
                     std::string(line) + "'");
    }
    if (current_section.empty()) {
      throw TpuError(location(source_name, line_number) +
                     "a key appears before any [section] header");
    }
    const auto key = detail::to_lower(trim(line.substr(0, separator)));
    const auto [entry, inserted] = sections[current_section].try_emplace(
        key, IniValue{std::string(trim(line.substr(separator + 1))), line_number});
    if (!inserted) {
      throw TpuError(location(source_name, line_number) + "key '" + key + "' in section [" +
                     current_section + "] was already given on line " +
                     std::to_string(entry->second.line_number));
    }
  }
  return sections;
}

class ConfigReader {
 public:
  ConfigReader(IniSections sections, std::string_view source_name)
      : sections_(std::move(sections)), source_name_(source_name) {}

  [[nodiscard]] const IniValue* find(const std::string& section, const std::string& key) const {
    const auto found_section = sections_.find(section);
    if (found_section == sections_.end()) {
      return nullptr;
    }
    const auto found_key = found_section->second.find(detail::to_lower(key));
    return found_key == found_section->second.end() ? nullptr : &found_key->second;
  }

  [[nodiscard]] const IniValue& require(const std::string& section, const std::string& key) const {
    const auto* value = find(section, key);
    if (value == nullptr) {
      throw TpuError(std::string(source_name_) + ": missing key '" + key + "' in section [" +
                     section + "]");
    }
    return *value;
  }

  [[nodiscard]] std::int64_t integer(const IniValue& value, const std::string& key,
                                     std::int64_t minimum, std::int64_t maximum) const {
    std::int64_t parsed = 0;
    if (!detail::parse_integer(value.text, parsed) || parsed < minimum) {
      throw TpuError(location(source_name_, value.line_number) + key + ": expected an integer >= " +
                     std::to_string(minimum) + ", got '" + value.text + "'");
    }
    if (parsed > maximum) {
      throw TpuError(location(source_name_, value.line_number) + key + " = " + value.text +
                     " exceeds the model's " + std::to_string(maximum));
    }
    return parsed;
  }

  [[nodiscard]] std::int64_t required_integer(const std::string& section, const std::string& key,
                                              std::int64_t minimum, std::int64_t maximum) const {
    return integer(require(section, key), key, minimum, maximum);
  }

  [[nodiscard]] std::int64_t optional_integer(const std::string& section, const std::string& key,
                                              std::int64_t minimum, std::int64_t maximum,
                                              std::int64_t fallback) const {
    const auto* value = find(section, key);
    return value == nullptr ? fallback : integer(*value, key, minimum, maximum);
  }

  [[nodiscard]] std::string where(const IniValue& value) const {
    return location(source_name_, value.line_number);
  }

 private:
  IniSections sections_;
  std::string_view source_name_;
};

std::vector<std::int64_t> parse_bandwidths(const ConfigReader& reader, const IniValue& value) {
  std::vector<std::int64_t> bandwidths;
  for (const auto field : detail::split(value.text, ',')) {
    std::int64_t parsed = 0;
    if (!detail::parse_integer(field, parsed) || parsed < 1 || parsed > max_count) {
      throw TpuError(reader.where(value) +
                     "Bandwidth: expected a comma-separated list of integers from 1 to 2^53, "
                     "got '" +
                     value.text + "'");
    }
    bandwidths.push_back(parsed);
  }
  return bandwidths;
}

}  // namespace

DataflowKind parse_dataflow(std::string_view code) {
  const auto lowered = detail::to_lower(trim(code));
  if (lowered == "os") {
    return DataflowKind::output_stationary;
  }
  if (lowered == "ws") {
    return DataflowKind::weight_stationary;
  }
  if (lowered == "is") {
    return DataflowKind::input_stationary;
  }
  throw TpuError("expected a dataflow of os, ws or is, got '" + std::string(code) + "'");
}

std::string_view dataflow_code(DataflowKind kind) noexcept {
  switch (kind) {
    case DataflowKind::output_stationary:
      return "os";
    case DataflowKind::weight_stationary:
      return "ws";
    case DataflowKind::input_stationary:
      return "is";
  }
  return "os";
}

ArchitectureConfig parse_architecture_config(std::string_view text, std::string_view source_name) {
  const ConfigReader reader(parse_ini(text, source_name), source_name);
  const std::string general = "general";
  const std::string architecture = "architecture_presets";
  const std::string run = "run_presets";

  ArchitectureConfig config;
  config.run_name = reader.require(general, "run_name").text;
  config.array.rows = reader.required_integer(architecture, "ArrayHeight", 1, max_array_extent);
  config.array.cols = reader.required_integer(architecture, "ArrayWidth", 1, max_array_extent);
  config.ifmap_sram_kib = reader.required_integer(architecture, "IfmapSramSzkB", 1, max_sram_kib);
  config.filter_sram_kib = reader.required_integer(architecture, "FilterSramSzkB", 1, max_sram_kib);
  config.ofmap_sram_kib = reader.required_integer(architecture, "OfmapSramSzkB", 1, max_sram_kib);
  config.ifmap_offset = reader.optional_integer(architecture, "IfmapOffset", 0, max_count, 0);
  config.filter_offset =
      reader.optional_integer(architecture, "FilterOffset", 0, max_count, 10000000);
  config.ofmap_offset =
      reader.optional_integer(architecture, "OfmapOffset", 0, max_count, 20000000);
  config.memory_banks =
      reader.optional_integer(architecture, "MemoryBanks", 1, max_array_extent, 1);

  const auto& dataflow = reader.require(architecture, "Dataflow");
  try {
    config.dataflow = parse_dataflow(dataflow.text);
  } catch (const TpuError& error) {
    throw TpuError(reader.where(dataflow) + "Dataflow: " + error.what());
  }

  const auto& mode = reader.require(run, "InterfaceBandwidth");
  const auto mode_code = detail::to_lower(mode.text);
  if (mode_code == "calc") {
    config.bandwidth_mode = InterfaceBandwidthMode::calculated;
  } else if (mode_code == "user") {
    config.bandwidth_mode = InterfaceBandwidthMode::user;
  } else {
    throw TpuError(reader.where(mode) + "InterfaceBandwidth: expected CALC or USER, got '" +
                   mode.text + "'");
  }

  if (const auto* bandwidth = reader.find(architecture, "Bandwidth");
      bandwidth != nullptr && !bandwidth->text.empty()) {
    config.bandwidth_words_per_cycle = parse_bandwidths(reader, *bandwidth);
  }
  if (config.bandwidth_mode == InterfaceBandwidthMode::user &&
      config.bandwidth_words_per_cycle.empty()) {
    throw TpuError(std::string(source_name) +
                   ": InterfaceBandwidth is USER but [architecture_presets] gives no Bandwidth");
  }
  return config;
}

ArchitectureConfig read_architecture_config(const std::filesystem::path& path) {
  return parse_architecture_config(detail::read_text_file(path.string()), path.string());
}

}  // namespace imcosim::tpu
