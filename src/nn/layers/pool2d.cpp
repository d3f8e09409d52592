#include <algorithm>
#include <limits>
#include <string>

#include "imcosim/nn/error.hpp"
#include "imcosim/nn/layers.hpp"

namespace imcosim::nn {

template <typename Scalar>
Pool2d<Scalar>::Pool2d(Shape input, PoolKind pool, std::size_t kernel, std::size_t stride)
    : Layer<Scalar>(input), pool_(pool), kernel_(kernel), stride_(stride) {
  if (kernel == 0 || stride == 0) {
    throw NnError(kind() + ": kernel and stride must be >= 1");
  }
  if (kernel > input.height || kernel > input.width) {
    throw NnError(kind() + ": a kernel of " + std::to_string(kernel) + " does not fit the " +
                  shape_text(input) + " input");
  }
  output_ = {(input.height - kernel) / stride + 1, (input.width - kernel) / stride + 1,
             input.channels};
}

template <typename Scalar>
void Pool2d<Scalar>::forward(const Tensor<Scalar>& input, Tensor<Scalar>& output,
                             LayerCache<Scalar>& cache, Phase phase) const {
  const Shape& in = this->input_shape();
  const std::size_t batch = input.batch();
  const std::size_t channels = in.channels;
  output.resize_for_overwrite(batch, output_);
  // Max pooling keeps the argmax of every output for backward, in training only.
  const bool keep_indices = pool_ == PoolKind::max && phase == Phase::training;
  if (keep_indices) {
    cache.indices.resize(output.size());
  }
  const Scalar inverse_area = Scalar{1} / static_cast<Scalar>(kernel_ * kernel_);
  if (pool_ == PoolKind::max && !keep_indices) {
    // Inference: the same comparisons window element by window element, all channels of a pixel
    // at once (the loop over channels vectorises).
    for (std::size_t n = 0; n < batch; ++n) {
      const Scalar* image = input.sample(n);
      Scalar* result = output.sample(n);
      for (std::size_t oy = 0; oy < output_.height; ++oy) {
        for (std::size_t ox = 0; ox < output_.width; ++ox) {
          Scalar* best = result + (oy * output_.width + ox) * channels;
          std::fill_n(best, channels, -std::numeric_limits<Scalar>::infinity());
          const std::size_t corner = (oy * stride_ * in.width + ox * stride_) * channels;
          for (std::size_t ky = 0; ky < kernel_; ++ky) {
            for (std::size_t kx = 0; kx < kernel_; ++kx) {
              const Scalar* pixel = image + corner + (ky * in.width + kx) * channels;
              for (std::size_t c = 0; c < channels; ++c) {
                best[c] = pixel[c] > best[c] ? pixel[c] : best[c];
              }
            }
          }
        }
      }
    }
    return;
  }
  for (std::size_t n = 0; n < batch; ++n) {
    const Scalar* image = input.sample(n);
    Scalar* result = output.sample(n);
    std::uint32_t* indices = keep_indices ? cache.indices.data() + n * output_.size() : nullptr;
    for (std::size_t oy = 0; oy < output_.height; ++oy) {
      for (std::size_t ox = 0; ox < output_.width; ++ox) {
        const std::size_t out_pixel = (oy * output_.width + ox) * channels;
        const std::size_t corner = (oy * stride_ * in.width + ox * stride_) * channels;
        for (std::size_t c = 0; c < channels; ++c) {
          Scalar best = -std::numeric_limits<Scalar>::infinity();
          std::size_t best_index = 0;
          Scalar sum = 0;
          for (std::size_t ky = 0; ky < kernel_; ++ky) {
            for (std::size_t kx = 0; kx < kernel_; ++kx) {
              const std::size_t index = corner + (ky * in.width + kx) * channels + c;
              if (pool_ == PoolKind::average) {
                sum += image[index];
              } else if (image[index] > best) {
                best = image[index];
                best_index = index;
              }
            }
          }
          if (pool_ == PoolKind::average) {
            result[out_pixel + c] = sum * inverse_area;
          } else {
            result[out_pixel + c] = best;
            if (indices != nullptr) {
              indices[out_pixel + c] = static_cast<std::uint32_t>(best_index);
            }
          }
        }
      }
    }
  }
}

template <typename Scalar>
void Pool2d<Scalar>::backward(const Tensor<Scalar>& output_gradient, Tensor<Scalar>* input_gradient,
                              const LayerCache<Scalar>& cache,
                              std::vector<std::vector<Scalar>>& /*parameter_gradients*/) const {
  if (input_gradient == nullptr) {
    return;
  }
  const Shape& in = this->input_shape();
  const std::size_t batch = output_gradient.batch();
  input_gradient->resize(batch, in);
  const Scalar inverse_area = Scalar{1} / static_cast<Scalar>(kernel_ * kernel_);
  for (std::size_t n = 0; n < batch; ++n) {
    const Scalar* grad_out = output_gradient.sample(n);
    Scalar* grad_in = input_gradient->sample(n);
    for (std::size_t oy = 0; oy < output_.height; ++oy) {
      for (std::size_t ox = 0; ox < output_.width; ++ox) {
        for (std::size_t c = 0; c < in.channels; ++c) {
          const std::size_t out_index = (oy * output_.width + ox) * in.channels + c;
          if (pool_ == PoolKind::max) {
            grad_in[cache.indices[n * output_.size() + out_index]] += grad_out[out_index];
            continue;
          }
          for (std::size_t ky = 0; ky < kernel_; ++ky) {
            for (std::size_t kx = 0; kx < kernel_; ++kx) {
              grad_in[((oy * stride_ + ky) * in.width + (ox * stride_ + kx)) * in.channels + c] +=
                  grad_out[out_index] * inverse_area;
            }
          }
        }
      }
    }
  }
}

template class Pool2d<float>;
template class Pool2d<double>;

}  // namespace imcosim::nn
