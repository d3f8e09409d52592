#pragma once

#include <cstddef>

#include "command_line.hpp"
#include "imcosim/nn/dataset.hpp"

namespace imcosim::cli {

// --threads for the commands that run networks: how many OpenMP threads compute; results do
// not depend on it.
void add_thread_option(CommandSyntax& syntax);
void apply_thread_option(const po::variables_map& values);

// The first `count` images of `dataset` (all of them when count is 0 or larger).
nn::ImageDataset limit_images(nn::ImageDataset dataset, std::size_t count);

}  // namespace imcosim::cli
