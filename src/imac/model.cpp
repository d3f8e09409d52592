#include "imcosim/imac/model.hpp"

#include <cmath>

#include "imcosim/imac/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"

namespace imcosim::imac {

namespace {

bool fits_encoding(double value, WeightEncoding encoding) {
  switch (encoding) {
    case WeightEncoding::binary:
      return value == 1.0 || value == -1.0;
    case WeightEncoding::ternary:
      return value == 1.0 || value == -1.0 || value == 0.0;
    case WeightEncoding::k_level:
      return std::isfinite(value) && value >= -1.0 && value <= 1.0;
  }
  return false;
}

const char* allowed_values(WeightEncoding encoding) {
  switch (encoding) {
    case WeightEncoding::binary:
      return "-1 or +1";
    case WeightEncoding::ternary:
      return "-1, 0 or +1";
    case WeightEncoding::k_level:
      return "finite and within [-1, 1]";
  }
  return "";
}

void check_values(const Eigen::MatrixXd& values, WeightEncoding encoding,
                  const std::string& where) {
  for (Eigen::Index r = 0; r < values.rows(); ++r) {
    for (Eigen::Index c = 0; c < values.cols(); ++c) {
      if (!fits_encoding(values(r, c), encoding)) {
        throw ImacError(ErrorKind::bad_input,
                        where + "[" + std::to_string(r) +
                            (values.cols() > 1 ? "][" + std::to_string(c) : std::string()) +
                            "] = " + std::to_string(values(r, c)) + ": " + encoding_name(encoding) +
                            " weights must be " + allowed_values(encoding));
      }
    }
  }
}

std::string layer_path(std::size_t index) { return "/layers/" + std::to_string(index); }

WeightEncoding parse_encoding(const std::string& text, const std::string& where) {
  for (const auto encoding :
       {WeightEncoding::binary, WeightEncoding::ternary, WeightEncoding::k_level}) {
    if (text == encoding_name(encoding)) {
      return encoding;
    }
  }
  throw ImacError(ErrorKind::bad_input, where + ": attribute 'encoding' is '" + text +
                                            "'; expected binary, ternary or k-level");
}

Eigen::MatrixXd read_numeric(const io::hdf5::File& file, const std::string& path, std::size_t rank,
                             const std::string& expected) {
  const std::string where = file.file_name() + ":" + path;
  if (file.object_kind(path) != io::hdf5::ObjectKind::dataset) {
    throw ImacError(ErrorKind::bad_input, where + ": dataset is missing; expected " + expected);
  }
  const auto dataset = file.open_dataset(path);
  const auto shape = dataset.shape();
  if (shape.size() != rank) {
    throw ImacError(ErrorKind::bad_input, where + ": has shape " + io::hdf5::shape_text(shape) +
                                              "; expected " + expected);
  }
  if (rank == 1) {
    return dataset.read_vector();
  }
  return dataset.read_matrix();
}

}  // namespace

const char* encoding_name(WeightEncoding encoding) {
  switch (encoding) {
    case WeightEncoding::binary:
      return "binary";
    case WeightEncoding::ternary:
      return "ternary";
    case WeightEncoding::k_level:
      return "k-level";
  }
  return "";
}

ImacModel::ImacModel(std::vector<DenseLayer> layers, WeightEncoding encoding, int levels,
                     const std::string& where)
    : layers_(std::move(layers)), encoding_(encoding), levels_(levels) {
  if (layers_.empty()) {
    throw ImacError(ErrorKind::bad_input, where + ": the model has no layers");
  }
  const int implied = encoding == WeightEncoding::binary    ? 2
                      : encoding == WeightEncoding::ternary ? 3
                                                            : levels;
  if (implied < 2) {
    throw ImacError(ErrorKind::bad_input, where + ": a k-level encoding needs levels >= 2, not " +
                                              std::to_string(levels));
  }
  levels_ = implied;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto& layer = layers_[l];
    const std::string name = where + ":" + layer_path(l);
    if (layer.weight.rows() == 0 || layer.weight.cols() == 0) {
      throw ImacError(ErrorKind::bad_input, name + "/weight is empty");
    }
    if (layer.bias.size() != layer.weight.rows()) {
      throw ImacError(ErrorKind::bad_input, name + "/bias has " +
                                                std::to_string(layer.bias.size()) +
                                                " entries; expected one per neuron (" +
                                                std::to_string(layer.weight.rows()) + ")");
    }
    if (l > 0 && layer.weight.cols() != layers_[l - 1].weight.rows()) {
      throw ImacError(ErrorKind::bad_input,
                      name + "/weight has " + std::to_string(layer.weight.cols()) +
                          " inputs but layer " + std::to_string(l - 1) + " has " +
                          std::to_string(layers_[l - 1].weight.rows()) + " neurons");
    }
    check_values(layer.weight, encoding_, name + "/weight");
    check_values(layer.bias, encoding_, name + "/bias");
  }
}

ImacModel read_model(const std::filesystem::path& path) {
  const auto file = io::hdf5::File::open_read_only(path);
  const std::string where = file.file_name();
  if (!file.has_attribute("encoding")) {
    throw ImacError(ErrorKind::bad_input,
                    where +
                        ": attribute 'encoding' on / is missing; expected binary, ternary "
                        "or k-level");
  }
  const auto encoding = parse_encoding(file.read_string_attribute("encoding"), where);
  int levels = 0;
  if (encoding == WeightEncoding::k_level) {
    if (!file.has_attribute("levels")) {
      throw ImacError(ErrorKind::bad_input,
                      where + ": a k-level model needs the integer attribute 'levels' on /");
    }
    levels = static_cast<int>(file.read_int64_attribute("levels"));
  }
  std::vector<DenseLayer> layers;
  for (std::size_t l = 0; file.has_object(layer_path(l)); ++l) {
    const std::string base = layer_path(l);
    DenseLayer layer;
    layer.weight =
        read_numeric(file, base + "/weight", 2, "float [n_out][n_in], the layer's weights");
    layer.bias = read_numeric(file, base + "/bias", 1, "float [n_out], the layer's biases");
    layers.push_back(std::move(layer));
  }
  if (layers.empty()) {
    throw ImacError(ErrorKind::bad_input,
                    where + ": no /layers/0 group; expected /layers/0/weight and /layers/0/bias");
  }
  // Layers are read up to the first missing index: anything else in /layers (a gap, a stray
  // name) would otherwise be left out silently, and the network computed would not be the file's.
  std::vector<std::string> read_names;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    read_names.push_back(std::to_string(l));
  }
  if (const auto stray = file.open_group("layers").unexpected_member(read_names)) {
    throw ImacError(ErrorKind::bad_input, where + ":/layers/" + *stray +
                                              " is not one of the consecutive layers /layers/0 "
                                              "... /layers/" +
                                              read_names.back() +
                                              "; layers are numbered from 0 without gaps");
  }
  return ImacModel(std::move(layers), encoding, levels, where);
}

void write_model(const std::filesystem::path& path, const ImacModel& model) {
  io::AtomicFile target(path);
  {
    auto file = io::hdf5::File::create(target.temporary_path());
    write_model_into(file, model);
    file.close();
  }
  target.commit();
}

void write_model_into(io::hdf5::File& file, const ImacModel& model) {
  file.write_string_attribute("encoding", encoding_name(model.encoding()));
  file.write_int64_attribute("levels", model.levels());
  auto layers = file.create_group("layers");
  for (std::size_t l = 0; l < model.layers().size(); ++l) {
    auto group = layers.create_group(std::to_string(l));
    group.write_matrix("weight", model.layers()[l].weight);
    group.write_vector("bias", model.layers()[l].bias);
  }
}

}  // namespace imcosim::imac
