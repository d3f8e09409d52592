#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "imcosim/nn/layers.hpp"
#include "imcosim/nn/tensor.hpp"

namespace imcosim::nn {

// One line of an architecture: a layer kind and its hyper-parameters.
struct LayerSpec {
  std::string kind;        // conv2d, dense, maxpool, avgpool, relu, relu6, imac_sigmoid, batchnorm,
                           // flatten
  Conv2dSpec conv{};       // conv2d
  std::size_t units = 0;   // dense
  std::size_t kernel = 2;  // pools
  std::size_t stride = 2;  // pools
};

// A CNN as an ordered list of layers, the input it takes, and where it is split between the
// TPU (layers [0, split)) and IMAC (layers [split, end): dense layers, each followed by an
// imac_sigmoid, the analog neurons). Valid once constructed: every layer fits the shape the
// previous one produces, the IMAC part is dense + imac_sigmoid pairs, and the last dense layer
// has one unit per class.
class Architecture {
 public:
  // `where` names the origin (file, built-in name) for error messages; throws NnError.
  Architecture(std::string name, Shape input, std::vector<LayerSpec> layers, std::size_t split,
               const std::string& where);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const Shape& input() const noexcept { return input_; }
  [[nodiscard]] const std::vector<LayerSpec>& layers() const noexcept { return layers_; }
  [[nodiscard]] std::size_t split() const noexcept { return split_; }
  [[nodiscard]] std::size_t class_count() const noexcept { return class_count_; }
  // The input shape of every layer, and at index layers().size() the output shape.
  [[nodiscard]] const std::vector<Shape>& shapes() const noexcept { return shapes_; }
  // The widths of the IMAC part: its input count, then every dense layer's units
  // (LeNet-5: 400, 120, 84, 10).
  [[nodiscard]] std::vector<std::size_t> imac_sizes() const;

  // The architecture-file text (parse_architecture reads it back to an equal architecture).
  [[nodiscard]] std::string text() const;

 private:
  std::string name_;
  Shape input_;
  std::vector<LayerSpec> layers_;
  std::size_t split_;
  std::size_t class_count_ = 0;
  std::vector<Shape> shapes_;
};

// Reads an architecture file:
//   name lenet5
//   input 28 28 1
//   conv2d filters=6 kernel=5 padding=2      (also kernel_height, kernel_width, stride, groups)
//   relu
//   maxpool kernel=2 stride=2
//   ...
//   flatten
//   split                                    (the layers below run on IMAC)
//   dense units=120
//   imac_sigmoid
// '#' starts a comment. Throws NnError naming `where`, the line and the key.
Architecture parse_architecture(const std::string& text, const std::string& where);
Architecture read_architecture(const std::filesystem::path& path);

// The built-in reference models for 28 x 28 x 1 inputs and 10 classes: "lenet5" (FC part
// 400-120-84-10, IMAC-Sim's reference network), "vgg" (VGG-style 3x3 conv blocks with batch
// norm and large FC layers) and "mobilenet" (depthwise-separable blocks, small classifier).
std::vector<std::string> reference_model_names();
Architecture reference_architecture(const std::string& name);

// Either a built-in name or the path of an architecture file.
Architecture load_architecture(const std::string& name_or_path);

// The SCALE-Sim topology CSV of the architecture's convolution and dense layers (dense layers
// as 1x1 convolutions over their flattened input, depthwise layers named with "DP" as
// SCALE-Sim expects), IFMAPs given padded.
std::string scalesim_topology(const Architecture& architecture);

}  // namespace imcosim::nn
