#include <algorithm>
#include <cstring>
#include <string>

#include "imcosim/nn/error.hpp"
#include "imcosim/nn/layers.hpp"

namespace imcosim::nn {

namespace {

// floor((input + 2 padding - kernel) / stride) + 1, as tpu::conv_output_extent.
std::size_t output_extent(std::size_t input, std::size_t kernel, std::size_t stride,
                          std::size_t padding, const char* axis) {
  if (input + 2 * padding < kernel) {
    throw NnError("conv2d: a kernel of " + std::to_string(kernel) + " does not fit the " + axis +
                  " of " + std::to_string(input) + " with padding " + std::to_string(padding));
  }
  return (input + 2 * padding - kernel) / stride + 1;
}

// Calls visit(lowered index, input index, length) for every run of consecutive elements that a
// window row shares with the input, leaving out the positions in the padding: the one walk that
// im2col and col2im share. A lowered row holds the groups' windows side by side, each in (row,
// col, channel) order, so without groups a whole window row is one run. Runs come in (image,
// output pixel, kernel row, kernel column, group, channel) order.
template <typename Visit>
void for_each_window_run(const Shape& in, const Shape& out, const Conv2dSpec& spec,
                         std::size_t window, std::size_t batch, Visit visit) {
  const std::size_t group_channels = in.channels / spec.groups;
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t oy = 0; oy < out.height; ++oy) {
      for (std::size_t ox = 0; ox < out.width; ++ox) {
        const std::size_t row = ((n * out.height + oy) * out.width + ox) * window * spec.groups;
        // Kernel columns [kx_begin, kx_end) fall inside the input.
        const std::size_t left = ox * spec.stride;
        const std::size_t kx_begin = left < spec.padding ? spec.padding - left : 0;
        const std::size_t kx_end = std::min(spec.kernel_width, in.width + spec.padding > left
                                                                   ? in.width + spec.padding - left
                                                                   : std::size_t{0});
        if (kx_begin >= kx_end) {
          continue;
        }
        for (std::size_t ky = 0; ky < spec.kernel_height; ++ky) {
          const std::size_t iy = oy * spec.stride + ky;
          if (iy < spec.padding || iy >= in.height + spec.padding) {
            continue;
          }
          const std::size_t pixel =
              n * in.size() +
              ((iy - spec.padding) * in.width + (left + kx_begin - spec.padding)) * in.channels;
          const std::size_t offset = row + (ky * spec.kernel_width + kx_begin) * group_channels;
          if (spec.groups == 1) {
            visit(offset, pixel, (kx_end - kx_begin) * in.channels);
            continue;
          }
          for (std::size_t kx = 0; kx < kx_end - kx_begin; ++kx) {
            for (std::size_t g = 0; g < spec.groups; ++g) {
              visit(offset + kx * group_channels + g * window,
                    pixel + kx * in.channels + g * group_channels, group_channels);
            }
          }
        }
      }
    }
  }
}

// im2col without groups: each image is first copied into a zero-bordered image of the rows
// and columns the windows reach, so that every filter row of every window is one contiguous
// run with no test for the padding. A run is copied in whole blocks of 16 bytes: a block that
// runs past its filter row lands where the next row's copy (the next window's first row, for
// the last) overwrites it. Only the very last run, and runs shorter than a block, are copied
// exactly, so nothing is written past the matrix. The bordered image has one block of slack
// for the reads.
template <typename Scalar>
void lower_through_bordered_image(const Scalar* images, std::size_t count, const Shape& in,
                                  const Shape& out, const Conv2dSpec& spec, Scalar* lowered) {
  constexpr std::size_t block = 16 / sizeof(Scalar);
  const std::size_t channels = in.channels;
  const std::size_t image_height = (out.height - 1) * spec.stride + spec.kernel_height;
  const std::size_t image_width = (out.width - 1) * spec.stride + spec.kernel_width;
  std::vector<Scalar> image(image_height * image_width * channels + block, Scalar{0});
  const std::size_t first_column = std::min(spec.padding, image_width);
  const std::size_t end_column = std::min(image_width, in.width + spec.padding);
  const std::size_t end_row = std::min(image_height, in.height + spec.padding);
  const std::size_t run = spec.kernel_width * channels;
  const std::size_t window = spec.kernel_height * run;
  const bool blocks = run >= block;
  for (std::size_t n = 0; n < count; ++n) {
    // The interior is rewritten for every image; the border stays zero.
    for (std::size_t y = spec.padding; y < end_row && end_column > first_column; ++y) {
      std::copy_n(images + n * in.size() + (y - spec.padding) * in.width * channels,
                  (end_column - first_column) * channels,
                  image.data() + (y * image_width + first_column) * channels);
    }
    for (std::size_t oy = 0; oy < out.height; ++oy) {
      for (std::size_t ox = 0; ox < out.width; ++ox) {
        Scalar* row = lowered + ((n * out.height + oy) * out.width + ox) * window;
        for (std::size_t ky = 0; ky < spec.kernel_height; ++ky) {
          const Scalar* from =
              image.data() + ((oy * spec.stride + ky) * image_width + ox * spec.stride) * channels;
          Scalar* to = row + ky * run;
          const bool last_run = n + 1 == count && oy + 1 == out.height && ox + 1 == out.width &&
                                ky + 1 == spec.kernel_height;
          if (blocks && !last_run) {
            for (std::size_t k = 0; k < run; k += block) {
              std::memcpy(to + k, from + k, block * sizeof(Scalar));
            }
          } else {
            std::copy_n(from, run, to);
          }
        }
      }
    }
  }
}

}  // namespace

template <typename Scalar>
Conv2d<Scalar>::Conv2d(Shape input, const Conv2dSpec& spec) : Layer<Scalar>(input), spec_(spec) {
  if (spec.filters == 0 || spec.kernel_height == 0 || spec.kernel_width == 0 || spec.stride == 0 ||
      spec.groups == 0) {
    throw NnError("conv2d: filters, kernel, stride and groups must be >= 1");
  }
  if (input.channels % spec.groups != 0 || spec.filters % spec.groups != 0) {
    throw NnError("conv2d: groups = " + std::to_string(spec.groups) + " must divide the " +
                  std::to_string(input.channels) + " input channels and the " +
                  std::to_string(spec.filters) + " filters");
  }
  output_ = {output_extent(input.height, spec.kernel_height, spec.stride, spec.padding, "height"),
             output_extent(input.width, spec.kernel_width, spec.stride, spec.padding, "width"),
             spec.filters};
  window_ = spec.kernel_height * spec.kernel_width * (input.channels / spec.groups);
  weight_ = {"weight", {spec.filters, window_}, std::vector<Scalar>(spec.filters * window_)};
  bias_ = {"bias", {spec.filters}, std::vector<Scalar>(spec.filters)};
}

template <typename Scalar>
void Conv2d<Scalar>::lower(const Tensor<Scalar>& input, RowMatrix<Scalar>& lowered) const {
  lower(input.data(), input.batch(), lowered);
}

template <typename Scalar>
void Conv2d<Scalar>::lower(const Scalar* images, std::size_t count,
                           RowMatrix<Scalar>& lowered) const {
  const Shape& in = this->input_shape();
  lowered.resize(static_cast<Eigen::Index>(count * output_.pixels()),
                 static_cast<Eigen::Index>(window_ * spec_.groups));
  if (spec_.groups == 1) {
    lower_through_bordered_image(images, count, in, output_, spec_, lowered.data());
    return;
  }
  // The runs cover every element but those of windows that reach into the padding: only their
  // rows are cleared first.
  if (spec_.padding > 0) {
    const auto inside = [&](std::size_t out, std::size_t kernel, std::size_t extent) {
      return out * spec_.stride >= spec_.padding &&
             out * spec_.stride + kernel <= extent + spec_.padding;
    };
    Eigen::Index row = 0;
    for (std::size_t n = 0; n < count; ++n) {
      for (std::size_t oy = 0; oy < output_.height; ++oy) {
        const bool rows_inside = inside(oy, spec_.kernel_height, in.height);
        for (std::size_t ox = 0; ox < output_.width; ++ox, ++row) {
          if (!rows_inside || !inside(ox, spec_.kernel_width, in.width)) {
            lowered.row(row).setZero();
          }
        }
      }
    }
  }
  Scalar* target = lowered.data();
  for_each_window_run(in, output_, spec_, window_, count,
                      [&](std::size_t to, std::size_t from, std::size_t length) {
                        for (std::size_t i = 0; i < length; ++i) {
                          target[to + i] = images[from + i];
                        }
                      });
}

template <typename Scalar>
void Conv2d<Scalar>::convolve(const RowMatrix<Scalar>& lowered, const Scalar* weight,
                              const Scalar* bias, Tensor<Scalar>& output, std::size_t batch) const {
  output.resize_for_overwrite(batch, output_);
  auto out = output.pixel_rows();
  const auto group_filters = static_cast<Eigen::Index>(spec_.filters / spec_.groups);
  const auto window = static_cast<Eigen::Index>(window_);
  const Eigen::Map<const RowMatrix<Scalar>> w(weight, static_cast<Eigen::Index>(spec_.filters),
                                              window);
  for (Eigen::Index g = 0; g < static_cast<Eigen::Index>(spec_.groups); ++g) {
    out.middleCols(g * group_filters, group_filters).noalias() =
        lowered.middleCols(g * window, window) *
        w.middleRows(g * group_filters, group_filters).transpose();
  }
  const Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> b(
      bias, static_cast<Eigen::Index>(spec_.filters));
  out.rowwise() += b;
}

template <typename Scalar>
void Conv2d<Scalar>::forward(const Tensor<Scalar>& input, Tensor<Scalar>& output,
                             LayerCache<Scalar>& cache, Phase /*phase*/) const {
  lower(input, cache.lowered);
  convolve(cache.lowered, weight_.values.data(), bias_.values.data(), output, input.batch());
}

template <typename Scalar>
void Conv2d<Scalar>::backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                              const LayerCache<Scalar>& cache,
                              std::vector<std::vector<Scalar>>& parameter_gradients) const {
  const auto grad_out = output_gradient.pixel_rows();
  const auto group_filters = static_cast<Eigen::Index>(spec_.filters / spec_.groups);
  const auto window = static_cast<Eigen::Index>(window_);
  const auto filters = static_cast<Eigen::Index>(spec_.filters);
  Eigen::Map<RowMatrix<Scalar>> grad_w(parameter_gradients[0].data(), filters, window);
  Eigen::Map<Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> grad_b(parameter_gradients[1].data(),
                                                              filters);
  grad_b += grad_out.colwise().sum();
  const Eigen::Map<const RowMatrix<Scalar>> w(weight_.values.data(), filters, window);
  thread_local RowMatrix<Scalar> grad_lowered;  // reused: the same size batch after batch
  if (input_gradient != nullptr) {
    grad_lowered.resize(cache.lowered.rows(), cache.lowered.cols());
  }
  for (Eigen::Index g = 0; g < static_cast<Eigen::Index>(spec_.groups); ++g) {
    const auto grad_group = grad_out.middleCols(g * group_filters, group_filters);
    grad_w.middleRows(g * group_filters, group_filters).noalias() +=
        grad_group.transpose() * cache.lowered.middleCols(g * window, window);
    if (input_gradient != nullptr) {
      grad_lowered.middleCols(g * window, window).noalias() =
          grad_group * w.middleRows(g * group_filters, group_filters);
    }
  }
  if (input_gradient == nullptr) {
    return;
  }
  // col2im: every lowered element adds back to the input pixel it was copied from.
  const std::size_t batch = output_gradient.batch();
  input_gradient->resize(batch, this->input_shape());
  const Scalar* source = grad_lowered.data();
  Scalar* target = input_gradient->data();
  for_each_window_run(this->input_shape(), output_, spec_, window_, batch,
                      [&](std::size_t from, std::size_t to, std::size_t length) {
                        for (std::size_t i = 0; i < length; ++i) {
                          target[to + i] += source[from + i];
                        }
                      });
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace imcosim::nn
