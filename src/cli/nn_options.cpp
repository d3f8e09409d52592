#include "nn_options.hpp"

namespace imcosim::cli {

nn::ImageDataset limit_images(nn::ImageDataset dataset, std::size_t count) {
  if (count == 0 || count >= dataset.size()) {
    return dataset;
  }
  return dataset.subset(0, count);
}

}  // namespace imcosim::cli
