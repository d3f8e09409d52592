#include "imcosim/netlist/library.hpp"

#include <algorithm>
#include <string>

#include "embedded_files.hpp"
#include "imcosim/netlist/error.hpp"

namespace imcosim::netlist {

std::string_view library_text(std::string_view file_name) {
  const auto files = detail::embedded_files();
  const auto found = std::find_if(files.begin(), files.end(),
                                  [file_name](const auto& file) { return file.name == file_name; });
  if (found != files.end()) {
    return found->text;
  }
  std::string known;
  for (const auto& file : files) {
    known += (known.empty() ? "" : ", ") + std::string(file.name);
  }
  throw NetlistError(ErrorKind::bad_input, "no shipped subcircuit or model file named '" +
                                               std::string(file_name) + "'; known: " + known);
}

std::vector<std::string> library_lines(std::string_view file_name) {
  std::string_view text = library_text(file_name);
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    lines.emplace_back(line);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

std::vector<std::string_view> library_file_names() {
  std::vector<std::string_view> names;
  for (const auto& file : detail::embedded_files()) {
    names.push_back(file.name);
  }
  return names;
}

}  // namespace imcosim::netlist
