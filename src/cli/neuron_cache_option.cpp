#include "neuron_cache_option.hpp"

#include <cstdlib>
#include <string>

namespace imcosim::cli {

void add_neuron_cache_option(CommandSyntax& syntax) {
  syntax.options.add_options()("cache-dir", po::value<std::string>(),
                               "where neuron characterisations are cached (default: "
                               "$XDG_CACHE_HOME/imcosim or ~/.cache/imcosim)");
}

std::filesystem::path neuron_cache_directory(const po::variables_map& values) {
  if (values.count("cache-dir") != 0) {
    return values["cache-dir"].as<std::string>();
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "imcosim";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".cache" / "imcosim";
  }
  return std::filesystem::temp_directory_path() / "imcosim-cache";
}

}  // namespace imcosim::cli
