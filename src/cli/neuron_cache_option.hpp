#pragma once

#include <filesystem>

#include "command_line.hpp"

namespace imcosim::cli {

// --cache-dir: where the commands that evaluate IMAC networks cache neuron characterisations.
void add_neuron_cache_option(CommandSyntax& syntax);
// --cache-dir, or $XDG_CACHE_HOME/imcosim, ~/.cache/imcosim, or a directory under /tmp.
[[nodiscard]] std::filesystem::path neuron_cache_directory(const po::variables_map& values);

}  // namespace imcosim::cli
