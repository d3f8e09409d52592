#include "imcosim/nn/tensor.hpp"

namespace imcosim::nn {

std::string shape_text(const Shape& shape) {
  return std::to_string(shape.height) + "x" + std::to_string(shape.width) + "x" +
         std::to_string(shape.channels);
}

}  // namespace imcosim::nn
