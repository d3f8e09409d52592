#include "imcosim/imac/evaluation_file.hpp"

#include <cmath>

#include "imcosim/imac/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"

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
  return evaluation;
}

}  // namespace imcosim::imac
