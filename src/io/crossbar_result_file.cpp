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
// Each map /node_voltages/<name> holds the datasets "row" and "column" and, for one vector's
// maps, the attributes "sample" and "ir_drop_volt".
constexpr std::string_view node_voltage_maps_path = "/node_voltages";
constexpr std::string_view map_row_name = "row";
constexpr std::string_view map_column_name = "column";
constexpr std::string_view map_sample_attribute = "sample";
constexpr std::string_view map_ir_drop_attribute = "ir_drop_volt";
constexpr std::string_view sample_map_prefix = "sample_";

constexpr std::string_view version_attribute = "imcosim_version";
constexpr std::string_view method_attribute = "method";
constexpr std::string_view tolerance_attribute = "tolerance_relative";
constexpr std::string_view node_voltage_sample_attribute = "node_voltage_sample";
constexpr std::string_view first_sample_attribute = "first_sample";
constexpr std::array<std::string_view, 5> reserved_attributes{
    version_attribute, method_attribute, tolerance_attribute, node_voltage_sample_attribute,
    first_sample_attribute};

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
  if (result.first_sample < 0) {
    throw IoError(ErrorKind::runtime,
                  where + ": first_sample " + std::to_string(result.first_sample) + " is negative");
  }
  std::set<std::string> map_names;
  for (const auto& map : result.node_voltage_maps) {
    const std::string name = node_voltage_map_name(map);
    if (!map_names.insert(name).second) {
      throw IoError(ErrorKind::runtime, where + ": node-voltage map " + name + " is given twice");
    }
    const bool of_one_vector = map.kind != NodeVoltageMap::Kind::mean;
    if (of_one_vector && (map.sample < 0 || map.sample >= result.currents_ampere.rows())) {
      throw IoError(ErrorKind::runtime, where + ": node-voltage map " + name +
                                            " is for input vector " + std::to_string(map.sample) +
                                            ", outside [0, " +
                                            std::to_string(result.currents_ampere.rows()) + ")");
    }
    const auto& first = result.node_voltage_maps.front();
    if (map.row_volt.rows() != first.row_volt.rows() ||
        map.row_volt.cols() != first.row_volt.cols() ||
        map.column_volt.rows() != first.row_volt.rows() ||
        map.column_volt.cols() != first.row_volt.cols()) {
      throw IoError(ErrorKind::runtime,
                    where + ": node-voltage map " + name + " differs in shape from the others");
    }
  }
}

// The member `name` of /node_voltages; anything but a map this tool writes is refused, since
// a reader that skipped it would silently lose what its writer meant.
NodeVoltageMap read_node_voltage_map(const hdf5::Group& maps, const std::string& name,
                                     Eigen::Index sample_count) {
  const std::string where = maps.where() + "/" + name;
  NodeVoltageMap map;
  if (name == "worst") {
    map.kind = NodeVoltageMap::Kind::worst;
  } else if (name == "mean") {
    map.kind = NodeVoltageMap::Kind::mean;
  } else if (!name.starts_with(sample_map_prefix)) {
    throw IoError(ErrorKind::bad_input,
                  where + ": is not a node-voltage map; expected sample_<k>, worst or mean");
  }
  const hdf5::Group group = maps.open_group(name);
  if (const auto stray =
          group.unexpected_member({std::string(map_column_name), std::string(map_row_name)})) {
    throw IoError(ErrorKind::bad_input,
                  where + "/" + *stray + ": is not part of a node-voltage map; expected only " +
                      std::string(map_row_name) + " and " + std::string(map_column_name));
  }
  map.row_volt = group.open_dataset(map_row_name).read_matrix();
  map.column_volt = group.open_dataset(map_column_name).read_matrix();
  if (map.row_volt.rows() != map.column_volt.rows() ||
      map.row_volt.cols() != map.column_volt.cols()) {
    throw IoError(ErrorKind::bad_input, where + ": row and column node voltages differ in shape");
  }
  if (map.kind == NodeVoltageMap::Kind::mean) {
    return map;
  }
  map.sample = group.read_int64_attribute(map_sample_attribute);
  map.ir_drop_volt = group.read_double_attribute(map_ir_drop_attribute);
  if (map.sample < 0 || map.sample >= sample_count ||
      (map.kind == NodeVoltageMap::Kind::sample && name != node_voltage_map_name(map))) {
    throw IoError(ErrorKind::bad_input,
                  where + ": attribute sample = " + std::to_string(map.sample) +
                      " does not name this map's input vector (0 to " +
                      std::to_string(sample_count - 1) + ", the k of sample_<k>)");
  }
  return map;
}

std::optional<Eigen::MatrixXd> read_optional_matrix(const hdf5::File& file, std::string_view path) {
  if (!file.has_object(path)) {
    return std::nullopt;
  }
  return file.open_dataset(path).read_matrix();
}

}  // namespace

std::string node_voltage_map_name(const NodeVoltageMap& map) {
  switch (map.kind) {
    case NodeVoltageMap::Kind::worst:
      return "worst";
    case NodeVoltageMap::Kind::mean:
      return "mean";
    case NodeVoltageMap::Kind::sample:
      break;
  }
  return std::string(sample_map_prefix) + std::to_string(map.sample);
}

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
    if (!result.node_voltage_maps.empty()) {
      hdf5::Group maps = file.create_group(node_voltage_maps_path);
      for (const auto& map : result.node_voltage_maps) {
        hdf5::Group group = maps.create_group(node_voltage_map_name(map));
        group.write_matrix(map_row_name, map.row_volt).write_string_attribute("unit", "V");
        group.write_matrix(map_column_name, map.column_volt).write_string_attribute("unit", "V");
        if (map.kind != NodeVoltageMap::Kind::mean) {
          group.write_int64_attribute(map_sample_attribute, map.sample);
          group.write_double_attribute(map_ir_drop_attribute, map.ir_drop_volt);
        }
      }
    }
    file.write_int64_attribute(first_sample_attribute, result.first_sample);
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
  if (file.has_object(node_voltage_maps_path)) {
    const hdf5::Group maps = file.open_group(node_voltage_maps_path);
    for (const std::string& name : maps.member_names()) {
      result.node_voltage_maps.push_back(
          read_node_voltage_map(maps, name, result.currents_ampere.rows()));
    }
  }
  if (file.has_attribute(first_sample_attribute)) {
    result.first_sample = file.read_int64_attribute(first_sample_attribute);
    if (result.first_sample < 0) {
      throw IoError(ErrorKind::bad_input, file.where() + ": attribute first_sample = " +
                                              std::to_string(result.first_sample) +
                                              " is negative; expected an input vector index");
    }
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
