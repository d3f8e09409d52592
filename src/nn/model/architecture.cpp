#include "imcosim/nn/architecture.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>

#include "imcosim/memory_budget.hpp"
#include "imcosim/nn/error.hpp"
#include "imcosim/nn/sequential.hpp"

namespace imcosim::nn {

namespace {

const std::vector<std::string>& known_kinds() {
  static const std::vector<std::string> kinds{"conv2d",       "dense",     "maxpool",
                                              "avgpool",      "relu",      "relu6",
                                              "imac_sigmoid", "batchnorm", "flatten"};
  return kinds;
}

// The keys each kind takes, for parsing and for error messages.
const std::map<std::string, std::vector<std::string>>& kind_keys() {
  static const std::map<std::string, std::vector<std::string>> keys{
      {"conv2d",
       {"filters", "kernel", "kernel_height", "kernel_width", "stride", "padding", "groups"}},
      {"dense", {"units"}},
      {"maxpool", {"kernel", "stride"}},
      {"avgpool", {"kernel", "stride"}}};
  return keys;
}

// A whole number > 0 in decimal digits only: "-8" read into an unsigned integer by a stream
// would wrap to 2^64 - 8.
bool read_positive(std::istream& words, std::size_t& value) {
  std::string text;
  if (!(words >> text)) {
    return false;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size() && value > 0;
}

// The memory one image's activations at `shape` take (float), counted without overflow.
std::uint64_t activation_bytes(const Shape& shape) {
  return saturating_product({shape.height, shape.width, shape.channels, sizeof(float)});
}

// What building layer `spec` on `input` allocates, in bytes: its parameters (dense: inputs x
// units and the biases; conv2d: every filter's kernel over the input channels and the biases;
// batchnorm: four per channel), counted from the spec before anything is built.
std::uint64_t parameter_bytes(const LayerSpec& spec, const Shape& input) {
  std::uint64_t parameters = 0;
  if (spec.kind == "dense") {
    const auto inputs = saturating_product({input.height, input.width, input.channels});
    parameters = saturating_sum({saturating_product({inputs, spec.units}), spec.units});
  } else if (spec.kind == "conv2d") {
    parameters = saturating_sum({saturating_product({spec.conv.filters, spec.conv.kernel_height,
                                                     spec.conv.kernel_width, input.channels}),
                                 spec.conv.filters});
  } else if (spec.kind == "batchnorm") {
    parameters = saturating_product({4, input.channels});
  }
  return saturating_product({parameters, sizeof(float)});
}

}  // namespace

Architecture::Architecture(std::string name, Shape input, std::vector<LayerSpec> layers,
                           std::size_t split, const std::string& where)
    : name_(std::move(name)), input_(input), layers_(std::move(layers)), split_(split) {
  if (input_.size() == 0) {
    throw NnError(where + ": the input shape " + shape_text(input_) + " is empty");
  }
  if (layers_.empty()) {
    throw NnError(where + ": the architecture has no layers");
  }
  if (split_ > layers_.size()) {
    throw NnError(where + ": split after layer " + std::to_string(split_) + " but there are only " +
                  std::to_string(layers_.size()) + " layers");
  }
  if (const auto shortfall = memory_shortfall(activation_bytes(input_), "one input image");
      !shortfall.empty()) {
    throw NnError(where + ": the input shape " + shape_text(input_) + ": " + shortfall);
  }
  shapes_.push_back(input_);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    try {
      // Layers allocate their parameters when built: a size the machine cannot hold is refused
      // first, and so is an output one image's activations could not fill.
      if (const auto shortfall =
              memory_shortfall(parameter_bytes(layers_[l], shapes_.back()), "this layer");
          !shortfall.empty()) {
        throw NnError(shortfall);
      }
      shapes_.push_back(make_layer<float>(layers_[l], shapes_.back())->output_shape());
      if (const auto shortfall = memory_shortfall(activation_bytes(shapes_.back()),
                                                  "this layer's output for one image");
          !shortfall.empty()) {
        throw NnError(shortfall);
      }
    } catch (const NnError& error) {
      throw NnError(where + ": layer " + std::to_string(l) + " (" + layers_[l].kind + ", input " +
                    shape_text(shapes_.back()) + "): " + error.what());
    }
  }
  const Shape& output = shapes_.back();
  if (output.height != 1 || output.width != 1) {
    throw NnError(where + ": the network must end in a flat vector of class scores, got " +
                  shape_text(output));
  }
  class_count_ = output.channels;
  if (class_count_ < 2) {
    throw NnError(where + ": the network must have at least 2 class outputs");
  }
  // The IMAC part: what the crossbars, amplifiers and neurons can compute.
  for (std::size_t l = split_; l < layers_.size(); ++l) {
    const std::string& kind = layers_[l].kind;
    const bool dense_slot = (l - split_) % 2 == 0;
    if (l == split_ && kind == "flatten") {
      throw NnError(where +
                    ": put the flatten layer before 'split': the IMAC part takes a flat "
                    "vector and consists of dense + imac_sigmoid pairs");
    }
    if ((dense_slot && kind != "dense") || (!dense_slot && kind != "imac_sigmoid")) {
      throw NnError(where + ": layer " + std::to_string(l) + " (" + kind +
                    ") cannot run on IMAC: the layers after 'split' must be dense layers, each "
                    "followed by imac_sigmoid (the analog neuron)");
    }
  }
  if (split_ < layers_.size() && (layers_.size() - split_) % 2 != 0) {
    throw NnError(where + ": the last dense layer on IMAC needs its imac_sigmoid neurons");
  }
}

std::vector<std::size_t> Architecture::imac_sizes() const {
  std::vector<std::size_t> sizes;
  if (split_ == layers_.size()) {
    return sizes;
  }
  sizes.push_back(shapes_[split_].size());
  for (std::size_t l = split_; l < layers_.size(); l += 2) {
    sizes.push_back(layers_[l].units);
  }
  return sizes;
}

std::string Architecture::text() const {
  std::ostringstream out;
  out << "name " << name_ << "\ninput " << input_.height << ' ' << input_.width << ' '
      << input_.channels << '\n';
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    if (l == split_) {
      out << "split\n";
    }
    const LayerSpec& spec = layers_[l];
    out << spec.kind;
    if (spec.kind == "conv2d") {
      out << " filters=" << spec.conv.filters << " kernel_height=" << spec.conv.kernel_height
          << " kernel_width=" << spec.conv.kernel_width << " stride=" << spec.conv.stride
          << " padding=" << spec.conv.padding << " groups=" << spec.conv.groups;
    } else if (spec.kind == "dense") {
      out << " units=" << spec.units;
    } else if (spec.kind == "maxpool" || spec.kind == "avgpool") {
      out << " kernel=" << spec.kernel << " stride=" << spec.stride;
    }
    out << '\n';
  }
  return out.str();
}

Architecture parse_architecture(const std::string& text, const std::string& where) {
  std::istringstream in(text);
  std::string line;
  std::string name = "custom";
  Shape input{};
  bool have_input = false;
  std::vector<LayerSpec> layers;
  std::size_t split = static_cast<std::size_t>(-1);
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    const std::string at = where + ":" + std::to_string(number) + ": ";
    if (const auto hash = line.find('#'); hash != std::string::npos) {
      line.erase(hash);
    }
    std::istringstream words(line);
    std::string kind;
    if (!(words >> kind)) {
      continue;
    }
    if (kind == "name") {
      if (!(words >> name)) {
        throw NnError(at + "'name' needs a value");
      }
      continue;
    }
    if (kind == "input") {
      if (!read_positive(words, input.height) || !read_positive(words, input.width) ||
          !read_positive(words, input.channels)) {
        throw NnError(at + "expected 'input HEIGHT WIDTH CHANNELS' with positive integers");
      }
      have_input = true;
      continue;
    }
    if (kind == "split") {
      if (split != static_cast<std::size_t>(-1)) {
        throw NnError(at + "a second 'split'");
      }
      split = layers.size();
      continue;
    }
    if (std::find(known_kinds().begin(), known_kinds().end(), kind) == known_kinds().end()) {
      throw NnError(at + "unknown layer '" + kind +
                    "' (conv2d, dense, maxpool, avgpool, relu, relu6, imac_sigmoid, batchnorm, "
                    "flatten, or name/input/split)");
    }
    LayerSpec spec;
    spec.kind = kind;
    std::map<std::string, std::size_t> values;
    std::string token;
    while (words >> token) {
      const auto equals = token.find('=');
      const std::string key = token.substr(0, equals);
      const auto& allowed =
          kind_keys().contains(kind) ? kind_keys().at(kind) : std::vector<std::string>{};
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        throw NnError(at + kind + " takes no key '" + key + "'");
      }
      std::size_t value = 0;
      const std::string number_text = equals == std::string::npos ? "" : token.substr(equals + 1);
      const auto [end, error] =
          std::from_chars(number_text.data(), number_text.data() + number_text.size(), value);
      if (error != std::errc{} || end != number_text.data() + number_text.size() ||
          number_text.empty() || (value == 0 && key != "padding")) {
        throw NnError(at + "'" + token + "': expected " + key + "=<positive integer>");
      }
      values[key] = value;
    }
    const auto value_or = [&](const std::string& key, std::size_t fallback) {
      return values.contains(key) ? values.at(key) : fallback;
    };
    if (kind == "conv2d") {
      if (!values.contains("filters") ||
          (!values.contains("kernel") &&
           !(values.contains("kernel_height") && values.contains("kernel_width")))) {
        throw NnError(at +
                      "conv2d needs filters= and kernel= (or kernel_height= and kernel_width=)");
      }
      spec.conv.filters = values.at("filters");
      spec.conv.kernel_height = value_or("kernel_height", value_or("kernel", 0));
      spec.conv.kernel_width = value_or("kernel_width", value_or("kernel", 0));
      spec.conv.stride = value_or("stride", 1);
      spec.conv.padding = value_or("padding", 0);
      spec.conv.groups = value_or("groups", 1);
    } else if (kind == "dense") {
      if (!values.contains("units")) {
        throw NnError(at + "dense needs units=");
      }
      spec.units = values.at("units");
    } else if (kind == "maxpool" || kind == "avgpool") {
      spec.kernel = value_or("kernel", 2);
      spec.stride = value_or("stride", spec.kernel);
    }
    layers.push_back(spec);
  }
  if (!have_input) {
    throw NnError(where + ": no 'input HEIGHT WIDTH CHANNELS' line");
  }
  if (split == static_cast<std::size_t>(-1)) {
    split = layers.size();
  }
  return {name, input, std::move(layers), split, where};
}

Architecture read_architecture(const std::filesystem::path& path) {
  if (std::filesystem::is_directory(path)) {
    throw NnError(path.string() + ": is a directory, not an architecture file");
  }
  std::ifstream in(path);
  if (!in) {
    throw NnError(path.string() + ": cannot open the architecture file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_architecture(text.str(), path.string());
}

std::vector<std::string> reference_model_names() { return {"lenet5", "vgg", "mobilenet"}; }

Architecture reference_architecture(const std::string& name) {
  // 28 x 28 x 1 inputs (Fashion-MNIST), 10 classes.
  static const std::map<std::string, std::string> texts{
      {"lenet5",
       "name lenet5\ninput 28 28 1\n"
       "conv2d filters=6 kernel=5 padding=2\nrelu\nmaxpool kernel=2\n"
       "conv2d filters=16 kernel=5\nrelu\nmaxpool kernel=2\nflatten\nsplit\n"
       "dense units=120\nimac_sigmoid\ndense units=84\nimac_sigmoid\n"
       "dense units=10\nimac_sigmoid\n"},
      {"vgg",
       "name vgg\ninput 28 28 1\n"
       "conv2d filters=16 kernel=3 padding=1\nbatchnorm\nrelu\n"
       "conv2d filters=16 kernel=3 padding=1\nbatchnorm\nrelu\nmaxpool kernel=2\n"
       "conv2d filters=32 kernel=3 padding=1\nbatchnorm\nrelu\n"
       "conv2d filters=32 kernel=3 padding=1\nbatchnorm\nrelu\nmaxpool kernel=2\nflatten\nsplit\n"
       "dense units=256\nimac_sigmoid\ndense units=128\nimac_sigmoid\n"
       "dense units=10\nimac_sigmoid\n"},
      {"mobilenet",
       "name mobilenet\ninput 28 28 1\n"
       "conv2d filters=16 kernel=3 padding=1\nbatchnorm\nrelu6\n"
       "conv2d filters=16 kernel=3 stride=2 padding=1 groups=16\nbatchnorm\nrelu6\n"
       "conv2d filters=32 kernel=1\nbatchnorm\nrelu6\n"
       "conv2d filters=32 kernel=3 stride=2 padding=1 groups=32\nbatchnorm\nrelu6\n"
       "conv2d filters=64 kernel=1\nbatchnorm\nrelu6\n"
       "avgpool kernel=7\nflatten\nsplit\n"
       "dense units=32\nimac_sigmoid\ndense units=10\nimac_sigmoid\n"}};
  const auto found = texts.find(name);
  if (found == texts.end()) {
    throw NnError("unknown reference model '" + name + "' (lenet5, vgg, mobilenet)");
  }
  return parse_architecture(found->second, "built-in model " + name);
}

Architecture load_architecture(const std::string& name_or_path) {
  const auto names = reference_model_names();
  if (std::find(names.begin(), names.end(), name_or_path) != names.end()) {
    return reference_architecture(name_or_path);
  }
  return read_architecture(name_or_path);
}

std::string scalesim_topology(const Architecture& architecture) {
  std::ostringstream out;
  out << "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
         "Filter, Strides,\n";
  std::size_t conv = 0;
  std::size_t dense = 0;
  for (std::size_t l = 0; l < architecture.layers().size(); ++l) {
    const LayerSpec& spec = architecture.layers()[l];
    const Shape& in = architecture.shapes()[l];
    if (spec.kind == "conv2d") {
      const bool depthwise = spec.conv.groups > 1 && spec.conv.groups == in.channels &&
                             spec.conv.filters == in.channels;
      if (spec.conv.groups > 1 && !depthwise) {
        throw NnError("layer " + std::to_string(l) +
                      ": SCALE-Sim topologies express depthwise convolutions (groups = channels "
                      "= filters) but not other grouped convolutions");
      }
      out << (depthwise ? "Conv" + std::to_string(++conv) + "DP" : "Conv" + std::to_string(++conv))
          << ", " << in.height + 2 * spec.conv.padding << ", " << in.width + 2 * spec.conv.padding
          << ", " << spec.conv.kernel_height << ", " << spec.conv.kernel_width << ", "
          << in.channels << ", " << (depthwise ? 1 : spec.conv.filters) << ", " << spec.conv.stride
          << ",\n";
    } else if (spec.kind == "dense") {
      out << "FC" << ++dense << ", 1, 1, 1, 1, " << in.size() << ", " << spec.units << ", 1,\n";
    }
  }
  return out.str();
}

}  // namespace imcosim::nn
