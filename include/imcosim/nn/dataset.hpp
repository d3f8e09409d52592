#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace imcosim::nn {

// A labelled image set held as the bytes a camera or a TPU's input buffer holds: uint8 pixels
// in [image][row][col][channel] (HWC, channel fastest) order. Valid once constructed: the
// pixel count is size() * height * width * channels and every label is in 0 .. class_count-1.
class ImageDataset {
 public:
  // Throws NnError (bad input) naming `source` when the sizes or labels do not fit.
  ImageDataset(std::size_t height, std::size_t width, std::size_t channels, std::size_t class_count,
               std::vector<std::uint8_t> pixels, std::vector<std::int32_t> labels,
               std::string source);

  [[nodiscard]] std::size_t size() const noexcept { return labels_.size(); }
  [[nodiscard]] std::size_t height() const noexcept { return height_; }
  [[nodiscard]] std::size_t width() const noexcept { return width_; }
  [[nodiscard]] std::size_t channels() const noexcept { return channels_; }
  [[nodiscard]] std::size_t class_count() const noexcept { return class_count_; }
  [[nodiscard]] std::size_t image_size() const noexcept { return height_ * width_ * channels_; }
  // The pixels of image k (image_size() bytes, HWC).
  [[nodiscard]] const std::uint8_t* image(std::size_t k) const noexcept {
    return pixels_.data() + k * image_size();
  }
  [[nodiscard]] std::int32_t label(std::size_t k) const noexcept { return labels_[k]; }
  [[nodiscard]] const std::vector<std::uint8_t>& pixels() const noexcept { return pixels_; }
  [[nodiscard]] const std::vector<std::int32_t>& labels() const noexcept { return labels_; }
  // Where the images came from, for messages and provenance (e.g. "fashion-mnist:test
  // (/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz)").
  [[nodiscard]] const std::string& source() const noexcept { return source_; }

  // The images first .. first+count-1 as a dataset of their own; throws NnError if out of range.
  [[nodiscard]] ImageDataset subset(std::size_t first, std::size_t count) const;

 private:
  std::size_t height_;
  std::size_t width_;
  std::size_t channels_;
  std::size_t class_count_;
  std::vector<std::uint8_t> pixels_;
  std::vector<std::int32_t> labels_;
  std::string source_;
};

enum class DatasetSplit { train, test };

// Where Debian's dataset-fashion-mnist package puts the IDX files.
inline const std::filesystem::path fashion_mnist_directory{"/usr/share/datasets/fashion-mnist"};

// Fashion-MNIST from its four gzip-compressed IDX files in `directory`
// (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-...): 28 x 28 x 1, 10 classes,
// 60,000 training and 10,000 test images. Throws NnError (bad input) naming the file when a
// file is missing, truncated, not gzip, has a wrong IDX magic number or type, declares sizes
// that disagree between images and labels (checked before memory is allocated), or holds a
// label outside 0..9.
ImageDataset read_fashion_mnist(const std::filesystem::path& directory, DatasetSplit split);

// A generic HDF5 image dataset: /images uint8 [K][H][W][C] (a rank-3 [K][H][W] dataset is read
// as C = 1), /labels integer [K], optional root attribute `class_count` (default: largest
// label + 1). Throws NnError or io::IoError naming the file and the dataset.
ImageDataset read_image_dataset(const std::filesystem::path& path);

// Writes the generic HDF5 format above (atomically: temporary name, then rename).
void write_image_dataset(const std::filesystem::path& path, const ImageDataset& dataset);

// What the CLI's --dataset option names: "fashion-mnist" (or "fashion-mnist:<directory>") for
// the Debian package's files, or the path of an HDF5 image dataset; `split` selects the
// Fashion-MNIST split and is ignored for HDF5 files (which hold one split each).
ImageDataset load_dataset(const std::string& spec, DatasetSplit split);

}  // namespace imcosim::nn
