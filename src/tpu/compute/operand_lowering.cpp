#include <algorithm>
#include <string>

#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/functional.hpp"
#include "window_runs.hpp"

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
  Int8Matrix lowered(out_height * out_width, filter_height * filter_width * input.channels());
  const std::int8_t* values = input.values().data();
  detail::for_each_window_run(
      input, filter_height, filter_width, geometry, out_height, out_width,
      [&](std::size_t pixel, std::size_t offset, std::size_t from, std::size_t length) {
        std::copy_n(values + from, length, lowered.row_data(pixel) + offset);
      });
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
