#pragma once

#include <cstddef>

#include "command_line.hpp"
#include "imcosim/nn/dataset.hpp"
#include "thread_option.hpp"

namespace imcosim::cli {

// The first `count` images of `dataset` (all of them when count is 0 or larger).
nn::ImageDataset limit_images(nn::ImageDataset dataset, std::size_t count);

}  // namespace imcosim::cli
