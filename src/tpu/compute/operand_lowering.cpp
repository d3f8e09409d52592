#include <string>

#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/functional.hpp"

namespace imcosim::tpu {

std::size_t conv_output_extent(std::size_t input, std::size_t filter, std::size_t stride,
                               std::size_t padding, const char* axis) {
  if (stride == 0) {
    throw TpuError(std::string("the ") + axis + " stride must be at least 1");
  }
  const std::size_t padded = input + 2 * padding;
  if (filter == 0 || filter > padded) {
    throw TpuError(std::string("the filter ") + axis + " of " + std::to_string(filter) +
                   " does not fit the padded input " + axis + " of " + std::to_string(padded));
  }
  return (padded - filter) / stride + 1;
}

Int8Matrix lower_ifmap(const Int8FeatureMap& input, std::size_t filter_height,
                       std::size_t filter_width, const ConvGeometry& geometry) {
  const std::size_t out_height = conv_output_extent(
      input.height(), filter_height, geometry.stride_height, geometry.padding_height, "height");
  const std::size_t out_width = conv_output_extent(
      input.width(), filter_width, geometry.stride_width, geometry.padding_width, "width");
  const std::size_t channels = input.channels();
  Int8Matrix lowered(out_height * out_width, filter_height * filter_width * channels);
  for (std::size_t oy = 0; oy < out_height; ++oy) {
    for (std::size_t ox = 0; ox < out_width; ++ox) {
      std::int8_t* row = lowered.row_data(oy * out_width + ox);
      for (std::size_t fy = 0; fy < filter_height; ++fy) {
        // Coordinates in the padded input; positions inside the padding read as zero.
        const std::size_t py = oy * geometry.stride_height + fy;
        for (std::size_t fx = 0; fx < filter_width; ++fx) {
          const std::size_t px = ox * geometry.stride_width + fx;
          const bool inside =
              py >= geometry.padding_height && py - geometry.padding_height < input.height() &&
              px >= geometry.padding_width && px - geometry.padding_width < input.width();
          for (std::size_t c = 0; c < channels; ++c) {
            *row++ = inside ? input(py - geometry.padding_height, px - geometry.padding_width, c)
                            : std::int8_t{0};
          }
        }
      }
    }
  }
  return lowered;
}

Int8Matrix lower_filters(const FilterBank& filters) {
  Int8Matrix lowered(filters.window_size(), filters.count());
  for (std::size_t n = 0; n < filters.count(); ++n) {
    const std::int8_t* filter = filters.filter_data(n);
    for (std::size_t k = 0; k < filters.window_size(); ++k) {
      lowered(k, n) = filter[k];
    }
  }
  return lowered;
}

}  // namespace imcosim::tpu
