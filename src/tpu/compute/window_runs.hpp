#pragma once

#include <algorithm>
#include <cstddef>

#include "imcosim/tpu/functional.hpp"

namespace imcosim::tpu::detail {

// im2col as runs of consecutive elements: calls visit(ofmap pixel, offset in its window, offset
// in the HWC input values, length) for each filter row's columns that lie inside the input (all
// their channels at once), ofmap pixel by pixel. Positions in the zero padding are skipped, so
// the lowered rows must start out zero. Windows are in (row, col, channel) order.
template <typename Visit>
void for_each_window_run(const Int8FeatureMap& input, std::size_t filter_height,
                         std::size_t filter_width, const ConvGeometry& geometry,
                         std::size_t out_height, std::size_t out_width, Visit visit) {
  const std::size_t channels = input.channels();
  const std::size_t right_edge = input.width() + geometry.padding_width;
  for (std::size_t oy = 0; oy < out_height; ++oy) {
    for (std::size_t ox = 0; ox < out_width; ++ox) {
      // Filter columns [fx_begin, fx_end) fall inside the input.
      const std::size_t left = ox * geometry.stride_width;
      const std::size_t fx_begin =
          left < geometry.padding_width ? geometry.padding_width - left : std::size_t{0};
      const std::size_t fx_end =
          std::min(filter_width, right_edge > left ? right_edge - left : std::size_t{0});
      if (fx_begin >= fx_end) {
        continue;
      }
      for (std::size_t fy = 0; fy < filter_height; ++fy) {
        const std::size_t py = oy * geometry.stride_height + fy;
        if (py < geometry.padding_height || py - geometry.padding_height >= input.height()) {
          continue;
        }
        visit(oy * out_width + ox, (fy * filter_width + fx_begin) * channels,
              ((py - geometry.padding_height) * input.width() + left + fx_begin -
               geometry.padding_width) *
                  channels,
              (fx_end - fx_begin) * channels);
      }
    }
  }
}

}  // namespace imcosim::tpu::detail
