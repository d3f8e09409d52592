// The crossbar result file: /currents, optional node voltages, and the attributes that say how
// the currents were obtained.
#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <string_view>

#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/io/error.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/version.hpp"

namespace imcosim::io {

namespace {

constexpr std::string_view currents_path = "/currents";
constexpr std::string_view row_node_voltages_path = "/row_node_voltages";
constexpr std::string_view column_node_voltages_path = "/column_node_voltages";

constexpr std::string_view version_attribute = "imcosim_version";
constexpr std::string_view method_attribute = "method";
constexpr std::string_view tolerance_attribute = "tolerance_relative";
constexpr std::string_view node_voltage_sample_attribute = "node_voltage_sample";
constexpr std::array<std::string_view, 4> reserved_attributes{
    version_attribute, method_attribute, tolerance_attribute, node_voltage_sample_attribute};

constexpr std::string_view timing_prefix = "time_";
constexpr std::string_view timing_suffix = "_s";

std::string timing_attribute(const std::string& name) {
  return std::string(timing_prefix) + name + std::string(timing_suffix);
}

bool is_timing_attribute(std::string_view name) {
  return name.size() > timing_prefix.size() + timing_suffix.size() &&
         name.starts_with(timing_prefix) && name.ends_with(timing_suffix);
}

void check_consistent(const std::filesystem::path& path, const CrossbarResult& result) {
  const std::string where = path.string();
  // Every root attribute name must be distinct, or one would silently replace another.
  std::set<std::string> names(reserved_attributes.begin(), reserved_attributes.end());
  const auto claim = [&](const std::string& name) {
    if (!names.insert(name).second) {
      throw IoError(ErrorKind::runtime, where + ": attribute " + name +
                                            " would be written twice (reserved or repeated name)");
    }
  };
  for (const auto& [name, seconds] : result.timings_s) {
    if (name.empty()) {
      throw IoError(ErrorKind::runtime, where + ": a timing has an empty name");
    }
    claim(timing_attribute(name));
  }
  for (const auto& [name, text] : result.text_attributes) {
    claim(name);
  }

  const bool has_node_voltages =
      result.row_node_voltages_volt.has_value() || result.column_node_voltages_volt.has_value();
  if (has_node_voltages && (result.node_voltage_sample < 0 ||
                            result.node_voltage_sample >= result.currents_ampere.rows())) {
    throw IoError(ErrorKind::runtime, where + ": node voltages are for input vector " +
                                          std::to_string(result.node_voltage_sample) +
                                          ", outside [0, " +
                                          std::to_string(result.currents_ampere.rows()) + ")");
  }
  if (result.row_node_voltages_volt && result.column_node_voltages_volt &&
      (result.row_node_voltages_volt->rows() != result.column_node_voltages_volt->rows() ||
       result.row_node_voltages_volt->cols() != result.column_node_voltages_volt->cols())) {
    throw IoError(ErrorKind::runtime, where + ": row and column node voltages differ in shape");
  }
}

std::optional<Eigen::MatrixXd> read_optional_matrix(const hdf5::File& file, std::string_view path) {
  if (!file.has_object(path)) {
    return std::nullopt;
  }
  return file.open_dataset(path).read_matrix();
}

}  // namespace

void write_crossbar_result(const std::filesystem::path& path, const CrossbarResult& result) {
  check_consistent(path, result);
  AtomicFile output(path);
  {
    hdf5::File file = hdf5::File::create(output.temporary_path());
    file.write_matrix(currents_path, result.currents_ampere).write_string_attribute("unit", "A");
    if (result.row_node_voltages_volt) {
      file.write_matrix(row_node_voltages_path, *result.row_node_voltages_volt)
          .write_string_attribute("unit", "V");
    }
    if (result.column_node_voltages_volt) {
      file.write_matrix(column_node_voltages_path, *result.column_node_voltages_volt)
          .write_string_attribute("unit", "V");
    }
    if (result.row_node_voltages_volt || result.column_node_voltages_volt) {
      file.write_int64_attribute(node_voltage_sample_attribute, result.node_voltage_sample);
    }
    file.write_string_attribute(version_attribute, version_string);
    file.write_string_attribute(method_attribute, result.method);
    file.write_double_attribute(tolerance_attribute, result.tolerance_relative);
    for (const auto& [name, seconds] : result.timings_s) {
      file.write_double_attribute(timing_attribute(name), seconds);
    }
    for (const auto& [name, text] : result.text_attributes) {
      file.write_string_attribute(name, text);
    }
    file.close();
  }
  output.commit();
}

CrossbarResult read_crossbar_result(const std::filesystem::path& path) {
  const hdf5::File file = hdf5::File::open_read_only(path);
  CrossbarResult result;
  result.currents_ampere = file.open_dataset(currents_path).read_matrix();
  result.method = file.read_string_attribute(method_attribute);
  result.tolerance_relative = file.read_double_attribute(tolerance_attribute);
  result.imcosim_version = file.read_string_attribute(version_attribute);
  result.row_node_voltages_volt = read_optional_matrix(file, row_node_voltages_path);
  result.column_node_voltages_volt = read_optional_matrix(file, column_node_voltages_path);
  if (result.row_node_voltages_volt || result.column_node_voltages_volt) {
    result.node_voltage_sample = file.read_int64_attribute(node_voltage_sample_attribute);
  }

  // Attributes this tool does not know are left alone, so newer files stay readable.
  for (const std::string& name : file.attribute_names()) {
    if (std::find(reserved_attributes.begin(), reserved_attributes.end(), name) !=
        reserved_attributes.end()) {
      continue;
    }
    const hdf5::ValueClass value_class = file.attribute_class(name);
    if (value_class == hdf5::ValueClass::string) {
      result.text_attributes.emplace_back(name, file.read_string_attribute(name));
    } else if (value_class == hdf5::ValueClass::floating && is_timing_attribute(name)) {
      result.timings_s.emplace_back(
          name.substr(timing_prefix.size(),
                      name.size() - timing_prefix.size() - timing_suffix.size()),
          file.read_double_attribute(name));
    }
  }
  return result;
}

}  // namespace imcosim::io
