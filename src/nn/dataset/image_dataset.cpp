#include <limits>
#include <utility>

#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/error.hpp"

namespace imcosim::nn {

namespace {

// product = a * b; false (product untouched) when a * b does not fit in std::size_t.
bool multiply_fits(std::size_t a, std::size_t b, std::size_t& product) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) {
    return false;
  }
  product = a * b;
  return true;
}

}  // namespace

ImageDataset::ImageDataset(std::size_t height, std::size_t width, std::size_t channels,
                           std::size_t class_count, std::vector<std::uint8_t> pixels,
                           std::vector<std::int32_t> labels, std::string source)
    : height_(height),
      width_(width),
      channels_(channels),
      class_count_(class_count),
      pixels_(std::move(pixels)),
      labels_(std::move(labels)),
      source_(std::move(source)) {
  if (height_ == 0 || width_ == 0 || channels_ == 0) {
    throw NnError(source_ + ": images of " + std::to_string(height_) + " x " +
                  std::to_string(width_) + " x " + std::to_string(channels_) +
                  " (height x width x channels); every extent must be at least 1");
  }
  if (class_count_ == 0 ||
      class_count_ > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw NnError(source_ + ": class count " + std::to_string(class_count_) +
                  "; expected 1 .. 2147483647");
  }
  std::size_t per_image = 0;
  std::size_t expected = 0;
  if (!multiply_fits(height_, width_, per_image) ||
      !multiply_fits(per_image, channels_, per_image) ||
      !multiply_fits(per_image, labels_.size(), expected) || expected != pixels_.size()) {
    throw NnError(source_ + ": " + std::to_string(pixels_.size()) + " pixel bytes for " +
                  std::to_string(labels_.size()) + " labels of " + std::to_string(height_) + " x " +
                  std::to_string(width_) + " x " + std::to_string(channels_) +
                  " images; expected one image per label");
  }
  for (std::size_t k = 0; k < labels_.size(); ++k) {
    if (labels_[k] < 0 || static_cast<std::size_t>(labels_[k]) >= class_count_) {
      throw NnError(source_ + ": label of image " + std::to_string(k) + " is " +
                    std::to_string(labels_[k]) + "; expected 0 .. " +
                    std::to_string(class_count_ - 1));
    }
  }
}

ImageDataset ImageDataset::subset(std::size_t first, std::size_t count) const {
  if (first > size() || count > size() - first) {
    const std::string end = count <= std::numeric_limits<std::size_t>::max() - first
                                ? std::to_string(first + count)
                                : std::to_string(first) + " + " + std::to_string(count);
    throw NnError(source_ + ": images [" + std::to_string(first) + ", " + end +
                  ") requested; it holds " + std::to_string(size()) + " images");
  }
  const auto pixel_begin = pixels_.begin() + static_cast<std::ptrdiff_t>(first * image_size());
  const auto label_begin = labels_.begin() + static_cast<std::ptrdiff_t>(first);
  return {
      height_,
      width_,
      channels_,
      class_count_,
      {pixel_begin, pixel_begin + static_cast<std::ptrdiff_t>(count * image_size())},
      {label_begin, label_begin + static_cast<std::ptrdiff_t>(count)},
      source_ + " images [" + std::to_string(first) + ", " + std::to_string(first + count) + ")"};
}

}  // namespace imcosim::nn
