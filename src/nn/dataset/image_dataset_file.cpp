// The generic HDF5 image dataset of docs/datasets.md: /images uint8 [K][H][W][C] (or [K][H][W]),
// /labels integer [K], optional root attribute class_count.
#include <algorithm>
#include <limits>
#include <utility>

#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/error.hpp"

namespace imcosim::nn {

namespace {

constexpr const char* images_expected = "uint8 [K][H][W][C] or [K][H][W], the images";
constexpr const char* labels_expected = "integers [K], one label per image";

// Bytes per chunk of /images: whole images, about 1 MiB, compressed.
constexpr std::uint64_t image_chunk_bytes = std::uint64_t{1} << 20;
constexpr int image_deflate_level = 4;

io::hdf5::DataSet open_required(const io::hdf5::File& file, const std::string& path,
                                const char* expected) {
  if (file.object_kind(path) != io::hdf5::ObjectKind::dataset) {
    throw NnError(file.file_name() + ":" + path + ": dataset is missing; expected " + expected);
  }
  return file.open_dataset(path);
}

}  // namespace

ImageDataset read_image_dataset(const std::filesystem::path& path) {
  const auto file = io::hdf5::File::open_read_only(path);
  const std::string name = file.file_name();
  const auto images = open_required(file, "/images", images_expected);
  const auto labels = open_required(file, "/labels", labels_expected);

  io::hdf5::Shape image_shape = images.shape();
  if (image_shape.size() == 3) {
    image_shape.push_back(1);
  }
  if (image_shape.size() != 4) {
    throw NnError(images.where() + ": has shape " + io::hdf5::shape_text(images.shape()) +
                  "; expected " + images_expected);
  }
  const io::hdf5::Shape label_shape = labels.shape();
  if (label_shape.size() != 1) {
    throw NnError(labels.where() + ": has shape " + io::hdf5::shape_text(label_shape) +
                  "; expected " + labels_expected);
  }
  if (label_shape[0] != image_shape[0]) {
    throw NnError(name + ": /images holds " + std::to_string(image_shape[0]) +
                  " images but /labels holds " + std::to_string(label_shape[0]) +
                  " labels; expected one label per image");
  }
  if (image_shape[1] == 0 || image_shape[2] == 0 || image_shape[3] == 0) {
    throw NnError(images.where() + ": has shape " + io::hdf5::shape_text(images.shape()) +
                  "; images must be at least 1 x 1 x 1");
  }

  // Labels first: they are small, and a bad one fails before the images are read.
  const std::vector<std::int64_t> stored_labels = labels.read_int64_array();
  std::int64_t largest = -1;
  for (std::size_t k = 0; k < stored_labels.size(); ++k) {
    const std::int64_t label = stored_labels[k];
    if (label < 0 || label >= std::numeric_limits<std::int32_t>::max()) {
      throw NnError(labels.where() + "[" + std::to_string(k) + "] = " + std::to_string(label) +
                    ": labels must be 0 .. 2147483646");
    }
    largest = std::max(largest, label);
  }
  std::int64_t class_count = largest + 1;
  if (file.has_attribute("class_count")) {
    class_count = file.read_int64_attribute("class_count");
    if (class_count < 1 || class_count > std::numeric_limits<std::int32_t>::max()) {
      throw NnError(name + ": attribute class_count on / is " + std::to_string(class_count) +
                    "; expected 1 .. 2147483647");
    }
    const auto beyond = std::find_if(stored_labels.begin(), stored_labels.end(),
                                     [&](std::int64_t label) { return label >= class_count; });
    if (beyond != stored_labels.end()) {
      throw NnError(labels.where() + "[" + std::to_string(beyond - stored_labels.begin()) +
                    "] = " + std::to_string(*beyond) + ": not below the attribute class_count " +
                    std::to_string(class_count));
    }
  } else if (stored_labels.empty()) {
    throw NnError(name + ": holds no images and no class_count attribute on /; add class_count");
  }
  std::vector<std::int32_t> label_values(stored_labels.begin(), stored_labels.end());

  std::vector<std::uint8_t> pixels = images.read_uint8_array();
  return {static_cast<std::size_t>(image_shape[1]),
          static_cast<std::size_t>(image_shape[2]),
          static_cast<std::size_t>(image_shape[3]),
          static_cast<std::size_t>(class_count),
          std::move(pixels),
          std::move(label_values),
          name};
}

void write_image_dataset(const std::filesystem::path& path, const ImageDataset& dataset) {
  io::AtomicFile target(path);
  {
    auto file = io::hdf5::File::create(target.temporary_path());
    const io::hdf5::Shape shape{dataset.size(), dataset.height(), dataset.width(),
                                dataset.channels()};
    const std::uint64_t images_per_chunk =
        std::max<std::uint64_t>(image_chunk_bytes / dataset.image_size(), 1);
    file.write_uint8_array("images", shape, dataset.pixels(),
                           {{images_per_chunk, shape[1], shape[2], shape[3]}, image_deflate_level});
    const std::vector<std::int64_t> labels(dataset.labels().begin(), dataset.labels().end());
    file.write_int64_array("labels", {dataset.size()}, labels);
    file.write_int64_attribute("class_count", static_cast<std::int64_t>(dataset.class_count()));
    file.write_string_attribute("source", dataset.source());
    file.close();
  }
  target.commit();
}

}  // namespace imcosim::nn
