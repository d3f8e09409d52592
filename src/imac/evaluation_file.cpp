#include "imcosim/imac/evaluation_file.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "imcosim/imac/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/memory_budget.hpp"

namespace imcosim::imac {

namespace {

Eigen::VectorXd indices_as_vector(const std::vector<Eigen::Index>& indices) {
  Eigen::VectorXd values(static_cast<Eigen::Index>(indices.size()));
  for (std::size_t k = 0; k < indices.size(); ++k) {
    values(static_cast<Eigen::Index>(k)) = static_cast<double>(indices[k]);
  }
  return values;
}

// Class indices are whole numbers >= 0 and at most 2^31 (far more classes than any layer has
// outputs, and exact in a double); predicted classes may also be no_class.
std::vector<Eigen::Index> vector_as_indices(const Eigen::VectorXd& values, const std::string& where,
                                            bool allow_no_class) {
  constexpr double largest = 2147483648.0;
  std::vector<Eigen::Index> indices;
  const double smallest = allow_no_class ? static_cast<double>(no_class) : 0.0;
  for (Eigen::Index k = 0; k < values.size(); ++k) {
    if (!(values(k) >= smallest && values(k) <= largest) || values(k) != std::floor(values(k))) {
      throw ImacError(ErrorKind::bad_input,
                      where + "[" + std::to_string(k) +
                          "] is not a class index (a whole number from 0 to 2^31)");
    }
    indices.push_back(static_cast<Eigen::Index>(values(k)));
  }
  return indices;
}

// Layer l's neuron outputs: /layer_outputs/layer_<l>.
constexpr std::string_view layer_outputs_group = "layer_outputs";
std::string layer_outputs_name(std::size_t layer) { return "layer_" + std::to_string(layer); }

// /layer_outputs/layer_0, layer_1, ... up to the first missing index, each [K][n_l]. Anything
// else in the group (a gap, a stray member) is refused, as in a model's /layers: a reader that
// stopped at a gap would silently drop the layers after it.
std::vector<Eigen::MatrixXd> read_layer_outputs(const io::hdf5::File& file, Eigen::Index samples) {
  std::vector<Eigen::MatrixXd> layers;
  if (!file.has_object(layer_outputs_group)) {
    return layers;
  }
  const auto group = file.open_group(layer_outputs_group);
  std::vector<std::string> read_names;
  while (group.object_kind(layer_outputs_name(layers.size())) != io::hdf5::ObjectKind::missing) {
    read_names.push_back(layer_outputs_name(layers.size()));
    const auto dataset = group.open_dataset(read_names.back());
    if (dataset.shape().size() != 2 ||
        dataset.shape().front() != static_cast<std::uint64_t>(samples)) {
      throw ImacError(ErrorKind::bad_input, dataset.where() + " has shape " +
                                                io::hdf5::shape_text(dataset.shape()) +
                                                "; expected [" + std::to_string(samples) +
                                                "][n_l], one row per sample of /outputs");
    }
    layers.push_back(dataset.read_matrix());
  }
  if (const auto stray = group.unexpected_member(read_names)) {
    throw ImacError(ErrorKind::bad_input,
                    group.where() + "/" + *stray +
                        " is not one of the consecutive layers layer_0, layer_1, ...; layers are "
                        "numbered from 0 without gaps");
  }
  return layers;
}

// Sample k's transient: /waveforms/sample_<k>/{time_s, inputs_volt, outputs_volt}.
constexpr std::string_view waveforms_group = "waveforms";
std::string waveforms_name(std::size_t sample) { return "sample_" + std::to_string(sample); }
const std::vector<std::string> waveform_members = {"inputs_volt", "outputs_volt", "time_s"};

// The matrix `name` of a sample's waveforms: [T][columns], one row per time point.
Eigen::MatrixXd read_waveform_matrix(const io::hdf5::Group& group, const std::string& name,
                                     std::uint64_t points, Eigen::Index columns) {
  const auto dataset = group.open_dataset(name);
  if (dataset.shape() != io::hdf5::Shape{points, static_cast<std::uint64_t>(columns)}) {
    throw ImacError(ErrorKind::bad_input, dataset.where() + " has shape " +
                                              io::hdf5::shape_text(dataset.shape()) +
                                              "; expected [" + std::to_string(points) + "][" +
                                              std::to_string(columns) + "], one row per time_s");
  }
  return dataset.read_matrix();
}

// The sample k that the member `name` of /waveforms is the transient of: "sample_<k>" as
// waveforms_name spells it, for a sample of /outputs; nullopt for anything else.
std::optional<std::size_t> waveforms_sample(const std::string& name, Eigen::Index samples) {
  const std::string_view prefix = "sample_";
  const std::string digits = name.substr(std::min(name.size(), prefix.size()));
  constexpr std::size_t most_digits = 18;  // below 2^63: no overflow
  if (!name.starts_with(prefix) || digits.empty() || digits.size() > most_digits ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (digits.size() > 1 && digits.front() == '0')) {
    return std::nullopt;
  }
  const auto sample = std::stoull(digits);
  if (sample >= static_cast<std::uint64_t>(samples)) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(sample);
}

// /waveforms/sample_<k> for the samples that have them (a failed ngspice run leaves a gap), each
// holding only time_s [T], inputs_volt [T][n_in] and outputs_volt [T][n_out] (n_in as in
// /inputs); anything else in the group is refused, as in /layer_outputs. The group's members are
// listed rather than every sample's name tried: /outputs may declare many samples of no outputs.
std::vector<SampleWaveforms> read_waveforms(const io::hdf5::File& file, Eigen::Index samples,
                                            Eigen::Index outputs) {
  std::vector<SampleWaveforms> waveforms;
  if (!file.has_object(waveforms_group)) {
    return waveforms;
  }
  const auto input_shape = file.open_dataset("inputs").shape();
  const auto inputs = static_cast<Eigen::Index>(input_shape.size() == 2 ? input_shape.back() : 0);
  const auto group = file.open_group(waveforms_group);
  const auto names = group.member_names();
  for (const auto& name : names) {
    if (!waveforms_sample(name, samples)) {
      throw ImacError(ErrorKind::bad_input,
                      group.where() + "/" + name +
                          " is not sample_<k> for a sample k of /outputs (0 to " +
                          std::to_string(samples - 1) + ")");
    }
  }
  const auto shortfall = memory_shortfall(
      saturating_product({static_cast<std::uint64_t>(samples), sizeof(SampleWaveforms)}),
      "the waveforms of " + std::to_string(samples) + " samples");
  if (!shortfall.empty()) {
    throw ImacError(ErrorKind::bad_input, group.where() + ": " + shortfall);
  }
  waveforms.resize(static_cast<std::size_t>(samples));
  for (const auto& name : names) {
    const auto sample = group.open_group(name);
    if (const auto stray = sample.unexpected_member(waveform_members)) {
      throw ImacError(ErrorKind::bad_input, sample.where() + "/" + *stray +
                                                " is not one of time_s, inputs_volt, outputs_volt");
    }
    const auto time = sample.open_dataset("time_s");
    if (time.shape().size() != 1) {
      throw ImacError(ErrorKind::bad_input, time.where() + " has shape " +
                                                io::hdf5::shape_text(time.shape()) +
                                                "; expected [T], one time per point");
    }
    auto& sample_waveforms = waveforms[*waveforms_sample(name, samples)];
    sample_waveforms.time_s = time.read_vector();
    const auto points = time.shape().front();
    sample_waveforms.inputs_volt = read_waveform_matrix(sample, "inputs_volt", points, inputs);
    sample_waveforms.outputs_volt = read_waveform_matrix(sample, "outputs_volt", points, outputs);
  }
  return waveforms;
}

// /inputs and, when labelled, /labels.
void write_inputs_into(io::hdf5::File& file, const NetworkInputs& inputs) {
  file.write_matrix("inputs", inputs.inputs_volt);
  if (inputs.labels) {
    file.write_vector("labels", indices_as_vector(*inputs.labels));
  }
}

}  // namespace

NetworkInputs read_network_inputs(const std::filesystem::path& path) {
  const auto file = io::hdf5::File::open_read_only(path);
  const std::string where = file.file_name();
  if (file.object_kind("/inputs") != io::hdf5::ObjectKind::dataset) {
    throw ImacError(ErrorKind::bad_input,
                    where + ":/inputs: dataset is missing; expected float [K][n_in] volts");
  }
  NetworkInputs inputs;
  const auto dataset = file.open_dataset("/inputs");
  if (dataset.shape().size() != 2) {
    throw ImacError(ErrorKind::bad_input, where + ":/inputs has shape " +
                                              io::hdf5::shape_text(dataset.shape()) +
                                              "; expected float [K][n_in] volts");
  }
  inputs.inputs_volt = dataset.read_matrix();
  if (file.object_kind("/labels") == io::hdf5::ObjectKind::dataset) {
    const auto labels = file.open_dataset("/labels");
    if (labels.shape() != io::hdf5::Shape{static_cast<std::uint64_t>(inputs.inputs_volt.rows())}) {
      throw ImacError(ErrorKind::bad_input, where + ":/labels has shape " +
                                                io::hdf5::shape_text(labels.shape()) +
                                                "; expected one class index per input row");
    }
    inputs.labels = vector_as_indices(labels.read_vector(), where + ":/labels", false);
  }
  return inputs;
}

void write_network_inputs(const std::filesystem::path& path, const NetworkInputs& inputs) {
  io::AtomicFile target(path);
  {
    auto file = io::hdf5::File::create(target.temporary_path());
    write_inputs_into(file, inputs);
    file.close();
  }
  target.commit();
}

void write_evaluation(const std::filesystem::path& path, const ImacEvaluation& evaluation,
                      const NetworkInputs& inputs,
                      const std::vector<std::pair<std::string, std::string>>& text_attributes,
                      const std::vector<std::pair<std::string, double>>& number_attributes) {
  io::AtomicFile target(path);
  {
    auto file = io::hdf5::File::create(target.temporary_path());
    write_inputs_into(file, inputs);
    file.write_matrix("outputs", evaluation.outputs_volt);
    file.write_vector("predicted_class", indices_as_vector(evaluation.predicted_class));
    file.write_vector("power", evaluation.power_watt);
    file.write_vector("settled_power", evaluation.settled_power_watt);
    file.write_vector("latency", evaluation.latency_s);
    if (!evaluation.layer_outputs_volt.empty()) {
      auto layers = file.create_group(layer_outputs_group);
      for (std::size_t l = 0; l < evaluation.layer_outputs_volt.size(); ++l) {
        layers.write_matrix(layer_outputs_name(l), evaluation.layer_outputs_volt[l]);
      }
    }
    if (!evaluation.waveforms.empty()) {
      auto group = file.create_group(waveforms_group);
      for (std::size_t k = 0; k < evaluation.waveforms.size(); ++k) {
        const auto& waveforms = evaluation.waveforms[k];
        if (waveforms.time_s.size() == 0) {
          continue;
        }
        auto sample = group.create_group(waveforms_name(k));
        sample.write_vector("time_s", waveforms.time_s);
        sample.write_matrix("inputs_volt", waveforms.inputs_volt);
        sample.write_matrix("outputs_volt", waveforms.outputs_volt);
      }
    }
    for (const auto& [name, value] : text_attributes) {
      file.write_string_attribute(name, value);
    }
    for (const auto& [name, value] : number_attributes) {
      file.write_double_attribute(name, value);
    }
    file.close();
  }
  target.commit();
}

ImacEvaluation read_evaluation(const std::filesystem::path& path) {
  const auto file = io::hdf5::File::open_read_only(path);
  ImacEvaluation evaluation;
  evaluation.outputs_volt = file.open_dataset("outputs").read_matrix();
  evaluation.predicted_class = vector_as_indices(file.open_dataset("predicted_class").read_vector(),
                                                 file.file_name() + ":/predicted_class", true);
  evaluation.power_watt = file.open_dataset("power").read_vector();
  evaluation.settled_power_watt = file.open_dataset("settled_power").read_vector();
  evaluation.latency_s = file.open_dataset("latency").read_vector();
  evaluation.layer_outputs_volt = read_layer_outputs(file, evaluation.outputs_volt.rows());
  evaluation.waveforms =
      read_waveforms(file, evaluation.outputs_volt.rows(), evaluation.outputs_volt.cols());
  return evaluation;
}

}  // namespace imcosim::imac
