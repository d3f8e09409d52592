#include <string>
#include <vector>

#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/topology.hpp"
#include "text_fields.hpp"

namespace imcosim::tpu {

namespace {

using detail::location;
using detail::trim;

// Every layer is analysed and reported on its own line; more than this is no network.
constexpr std::size_t max_topology_layers = std::size_t{1} << 20;

// The comma-separated fields of one row, trimmed, without the trailing empty field(s) that
// SCALE-Sim's trailing commas leave.
std::vector<std::string_view> row_fields(std::string_view line) {
  auto fields = detail::split(line, ',');
  for (auto& field : fields) {
    field = trim(field);
  }
  while (!fields.empty() && fields.back().empty()) {
    fields.pop_back();
  }
  return fields;
}

bool header_names_gemm(const std::vector<std::string_view>& header) {
  return header.size() == 4 && detail::to_lower(header[1]) == "m" &&
         detail::to_lower(header[2]) == "n" && detail::to_lower(header[3]) == "k";
}

std::int64_t positive_field(std::string_view field, std::string_view what,
                            const std::string& where) {
  std::int64_t value = 0;
  if (!detail::parse_integer(field, value) || value < 1) {
    throw TpuError(where + std::string(what) + ": expected an integer >= 1, got '" +
                   std::string(field) + "'");
  }
  return value;
}

void append_conv_layers(const std::vector<std::string_view>& fields, const std::string& where,
                        std::vector<ConvLayer>& layers) {
  if (fields.size() < 8 || fields.size() > 9) {
    throw TpuError(where +
                   "expected 'name, IFMAP height, IFMAP width, filter height, filter width, "
                   "channels, num filters, stride[, stride width]', got " +
                   std::to_string(fields.size()) + " fields");
  }
  ConvLayer layer;
  layer.name = std::string(fields[0]);
  layer.ifmap_height = positive_field(fields[1], "IFMAP height", where);
  layer.ifmap_width = positive_field(fields[2], "IFMAP width", where);
  layer.filter_height = positive_field(fields[3], "filter height", where);
  layer.filter_width = positive_field(fields[4], "filter width", where);
  layer.channels = positive_field(fields[5], "channels", where);
  layer.num_filters = positive_field(fields[6], "num filters", where);
  layer.stride_height = positive_field(fields[7], "stride", where);
  layer.stride_width =
      fields.size() == 9 ? positive_field(fields[8], "stride width", where) : layer.stride_height;
  validate_layer(layer, where);
  // SCALE-Sim runs a depthwise layer ("DP" in its name) as one single-channel layer per channel.
  if (layer.name.find("DP") != std::string::npos) {
    const auto channels = layer.channels;
    if (static_cast<std::uint64_t>(channels) > max_topology_layers - layers.size()) {
      throw TpuError(where + "depthwise layer '" + layer.name + "' has " +
                     std::to_string(channels) +
                     " channels, each a layer of its own; a topology may have at most " +
                     std::to_string(max_topology_layers) + " layers");
    }
    for (std::int64_t channel = 0; channel < channels; ++channel) {
      ConvLayer single = layer;
      single.name = layer.name + "Channel_" + std::to_string(channel);
      single.channels = 1;
      layers.push_back(std::move(single));
    }
    return;
  }
  layers.push_back(std::move(layer));
}

void append_gemm_layer(const std::vector<std::string_view>& fields, const std::string& where,
                       std::vector<ConvLayer>& layers) {
  if (fields.size() != 4) {
    throw TpuError(where + "expected 'name, M, N, K', got " + std::to_string(fields.size()) +
                   " fields");
  }
  auto layer = gemm_as_conv_layer(std::string(fields[0]), positive_field(fields[1], "M", where),
                                  positive_field(fields[2], "N", where),
                                  positive_field(fields[3], "K", where));
  validate_layer(layer, where);
  layers.push_back(std::move(layer));
}

std::string topology_name(std::string_view source_name) {
  const auto slash = source_name.find_last_of('/');
  auto file = source_name.substr(slash == std::string_view::npos ? 0 : slash + 1);
  const auto dot = file.find_last_of('.');
  return std::string(dot == std::string_view::npos ? file : file.substr(0, dot));
}

}  // namespace

Topology parse_topology(std::string_view text, std::string_view source_name,
                        TopologyFormat format) {
  const auto lines = detail::split_lines(text);
  std::size_t header_index = 0;
  while (header_index < lines.size() && trim(lines[header_index]).empty()) {
    ++header_index;
  }
  if (header_index == lines.size()) {
    throw TpuError(std::string(source_name) +
                   ": the topology file is empty; expected a header "
                   "line and one line per layer");
  }
  if (format == TopologyFormat::detect) {
    format = header_names_gemm(row_fields(lines[header_index])) ? TopologyFormat::gemm
                                                                : TopologyFormat::conv;
  }

  Topology topology{topology_name(source_name), {}};
  for (std::size_t index = header_index + 1; index < lines.size(); ++index) {
    const auto line = trim(lines[index]);
    if (line.empty()) {
      continue;
    }
    const auto where = location(source_name, index + 1);
    const auto fields = row_fields(line);
    if (format == TopologyFormat::gemm) {
      append_gemm_layer(fields, where, topology.layers);
    } else {
      append_conv_layers(fields, where, topology.layers);
    }
  }
  if (topology.layers.empty()) {
    throw TpuError(std::string(source_name) + ": the topology file has a header but no layers");
  }
  return topology;
}

Topology read_topology(const std::filesystem::path& path, TopologyFormat format) {
  return parse_topology(detail::read_text_file(path.string()), path.string(), format);
}

}  // namespace imcosim::tpu
