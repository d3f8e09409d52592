#include "imcosim/nn/model_file.hpp"

#include <cmath>
#include <sstream>

#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/nn/error.hpp"
#include "imcosim/version.hpp"

namespace imcosim::nn {

namespace {

constexpr const char* format_name = "imcosim-cnn";
constexpr std::int64_t format_version = 1;
constexpr Eigen::Index log_columns = 6;

std::string number_text(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

}  // namespace

std::map<std::string, std::string> settings_record(const TrainingSettings& settings) {
  const auto& o = settings.optimizer;
  return {{"epochs", std::to_string(settings.epochs)},
          {"batch_size", std::to_string(settings.batch_size)},
          {"optimizer", optimizer_name(o.kind)},
          {"learning_rate", number_text(o.learning_rate)},
          {"final_learning_rate", number_text(settings.final_learning_rate)},
          {"momentum", number_text(o.momentum)},
          {"beta1", number_text(o.beta1)},
          {"beta2", number_text(o.beta2)},
          {"adam_epsilon", number_text(o.epsilon)},
          {"weight_decay", number_text(o.weight_decay)},
          {"logit_scale", number_text(settings.logit_scale)},
          {"seed", std::to_string(settings.seed)},
          {"augment_shift", std::to_string(settings.augment_shift)},
          {"augment_flip", settings.augment_flip ? "1" : "0"},
          {"images_per_chunk", std::to_string(images_per_chunk)}};
}

void write_parameters(io::hdf5::Group& group, const HybridNetwork& network) {
  const auto& model = network.model();
  for (std::size_t l = 0; l < model.size(); ++l) {
    const auto parameters = model.layer(l).parameters();
    if (parameters.empty()) {
      continue;
    }
    auto layer = group.create_group(std::to_string(l));
    for (const auto* parameter : parameters) {
      const Eigen::Map<const Eigen::VectorXf> values(
          parameter->values.data(), static_cast<Eigen::Index>(parameter->values.size()));
      if (parameter->dims.size() == 1) {
        layer.write_vector(parameter->name, values.cast<double>());
      } else {
        const Eigen::MatrixXd matrix =
            Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                parameter->values.data(), static_cast<Eigen::Index>(parameter->dims[0]),
                static_cast<Eigen::Index>(parameter->dims[1]))
                .cast<double>();
        layer.write_matrix(parameter->name, matrix);
      }
    }
  }
}

void read_parameters(const io::hdf5::Group& group, HybridNetwork& network) {
  auto& model = network.model();
  // Parameters are read by the architecture's layer numbers: anything else in the group (a layer
  // the architecture does not have, one without parameters) would be ignored silently.
  std::vector<std::string> read_names;
  for (std::size_t l = 0; l < model.size(); ++l) {
    if (!model.layer(l).parameters().empty()) {
      read_names.push_back(std::to_string(l));
    }
  }
  if (const auto stray = group.unexpected_member(read_names)) {
    throw NnError(group.where() + "/" + *stray +
                  " is not the parameters of a layer of the architecture (it has " +
                  std::to_string(model.size()) +
                  " layers, numbered from 0; only layers with weights have a group)");
  }
  for (std::size_t l = 0; l < model.size(); ++l) {
    for (auto* parameter : model.layer(l).parameters()) {
      const std::string path = std::to_string(l) + "/" + parameter->name;
      const std::string where = group.where() + "/" + path;
      if (!group.has_object(path)) {
        throw NnError(where + " is missing: layer " + std::to_string(l) + " (" +
                      model.layer(l).kind() + ") needs its " + parameter->name);
      }
      const auto dataset = group.open_dataset(path);
      io::hdf5::Shape expected;
      for (const auto d : parameter->dims) {
        expected.push_back(d);
      }
      if (dataset.shape() != expected) {
        throw NnError(where + " has shape " + io::hdf5::shape_text(dataset.shape()) + "; layer " +
                      std::to_string(l) + " (" + model.layer(l).kind() + ") expects " +
                      io::hdf5::shape_text(expected));
      }
      const Eigen::MatrixXd values = parameter->dims.size() == 1
                                         ? Eigen::MatrixXd(dataset.read_vector())
                                         : dataset.read_matrix();
      for (Eigen::Index r = 0; r < values.rows(); ++r) {
        for (Eigen::Index c = 0; c < values.cols(); ++c) {
          const double value = values(r, c);
          if (!std::isfinite(value)) {
            throw NnError(where + " entry [" + std::to_string(r) + "][" + std::to_string(c) +
                          "] is not finite");
          }
          parameter->values[static_cast<std::size_t>(r * values.cols() + c)] =
              static_cast<float>(value);
        }
      }
    }
  }
}

Eigen::MatrixXd log_matrix(const std::vector<EpochRecord>& log) {
  Eigen::MatrixXd matrix(static_cast<Eigen::Index>(log.size()), log_columns);
  for (std::size_t e = 0; e < log.size(); ++e) {
    const auto& r = log[e];
    matrix.row(static_cast<Eigen::Index>(e)) << static_cast<double>(r.epoch), r.loss,
        r.train_accuracy, r.test_accuracy, r.seconds, r.images_per_second;
  }
  return matrix;
}

std::vector<EpochRecord> log_records(const Eigen::MatrixXd& matrix, const std::string& where) {
  if (matrix.rows() > 0 && matrix.cols() != log_columns) {
    throw NnError(where + " must have " + std::to_string(log_columns) +
                  " columns (epoch, loss, train accuracy, test accuracy, seconds, images/s)");
  }
  std::vector<EpochRecord> log;
  for (Eigen::Index e = 0; e < matrix.rows(); ++e) {
    log.push_back({static_cast<std::size_t>(matrix(e, 0)), matrix(e, 1), matrix(e, 2), matrix(e, 3),
                   matrix(e, 4), matrix(e, 5)});
  }
  return log;
}

ModelFile read_model_file(const std::filesystem::path& path) {
  const auto file = io::hdf5::File::open_read_only(path);
  const std::string where = file.file_name();
  if (!file.has_attribute("format") || file.read_string_attribute("format") != format_name) {
    throw NnError(where + ": not a CNN model file (attribute 'format' on / must be '" +
                  std::string(format_name) + "')");
  }
  if (!file.has_attribute("architecture")) {
    throw NnError(where + ": attribute 'architecture' on / is missing (the architecture text)");
  }
  ModelFile model(HybridNetwork(
      parse_architecture(file.read_string_attribute("architecture"), where + ":/architecture")));
  if (!file.has_object("parameters")) {
    throw NnError(where + ": group /parameters is missing");
  }
  read_parameters(file.open_group("parameters"), model.network);
  if (file.has_object("quantisation")) {
    const auto ranges = file.open_dataset("quantisation").read_matrix();
    if (static_cast<std::size_t>(ranges.rows()) != model.network.model().size() ||
        ranges.cols() != 4) {
      throw NnError(where +
                    ":/quantisation must be [layers][4] (input scale, output scale, "
                    "clamp low, clamp high)");
    }
    std::vector<ActivationRange> list;
    for (Eigen::Index l = 0; l < ranges.rows(); ++l) {
      if (!(ranges(l, 0) > 0.0) || !(ranges(l, 1) > 0.0) || ranges(l, 2) < -128 ||
          ranges(l, 2) > ranges(l, 3) || ranges(l, 3) > 127) {
        throw NnError(where + ":/quantisation row " + std::to_string(l) +
                      " needs scales > 0 and -128 <= clamp low <= clamp high <= 127");
      }
      list.push_back({ranges(l, 0), ranges(l, 1), static_cast<std::int32_t>(ranges(l, 2)),
                      static_cast<std::int32_t>(ranges(l, 3))});
    }
    model.network.set_ranges(std::move(list));
  }
  if (file.has_attribute("dac_full_scale_volt")) {
    model.dac.full_scale_volt = file.read_double_attribute("dac_full_scale_volt");
  }
  if (file.read_string_attribute("precision") == "imac-ideal") {
    model.imac_encoding = imac::read_model(path).encoding();
  }
  if (file.has_object("training")) {
    const auto training = file.open_group("training");
    if (training.has_object("log")) {
      model.log = log_records(training.open_dataset("log").read_matrix(), where + ":/training/log");
    }
    for (const auto& name : training.attribute_names()) {
      model.settings[name] = training.read_string_attribute(name);
    }
  }
  if (file.has_object("evaluation")) {
    const auto evaluation = file.open_group("evaluation");
    for (const auto& backend : {"float", "int8", "imac-ideal", "imac"}) {
      if (!evaluation.has_object(backend)) {
        continue;
      }
      const auto group = evaluation.open_group(backend);
      model.evaluations[backend] = {group.read_double_attribute("accuracy"),
                                    static_cast<std::size_t>(group.read_int64_attribute("images")),
                                    group.read_string_attribute("dataset"),
                                    group.open_dataset("confusion").read_matrix()};
    }
  }
  return model;
}

std::string stored_imac_config(const ModelFile& model) {
  const auto found = model.settings.find("imac_config");
  return found == model.settings.end() ? std::string() : found->second;
}

void write_model_file(const std::filesystem::path& path, const ModelFile& model) {
  io::AtomicFile target(path);
  {
    auto file = io::hdf5::File::create(target.temporary_path());
    file.write_string_attribute("format", format_name);
    file.write_int64_attribute("format_version", format_version);
    file.write_string_attribute("imcosim_version", version_string);
    file.write_string_attribute("architecture", model.network.architecture().text());
    file.write_string_attribute("precision", precision_name(model.network.precision()));
    auto parameters = file.create_group("parameters");
    write_parameters(parameters, model.network);
    if (model.network.precision() != Precision::float32) {
      const auto& ranges = model.network.ranges();
      Eigen::MatrixXd matrix(static_cast<Eigen::Index>(ranges.size()), 4);
      for (std::size_t l = 0; l < ranges.size(); ++l) {
        matrix.row(static_cast<Eigen::Index>(l)) << ranges[l].input_scale, ranges[l].output_scale,
            ranges[l].clamp_low, ranges[l].clamp_high;
      }
      file.write_matrix("quantisation", matrix);
    }
    if (model.network.precision() == Precision::imac_ideal) {
      // The FC part in the IMAC model format at the root, so `imcosim imac` reads this file.
      imac::write_model_into(file, model.network.imac_model());
      file.write_double_attribute("dac_full_scale_volt", model.network.dac().full_scale_volt);
    }
    auto training = file.create_group("training");
    if (!model.log.empty()) {
      training.write_matrix("log", log_matrix(model.log));
    }
    for (const auto& [name, value] : model.settings) {
      training.write_string_attribute(name, value);
    }
    if (!model.evaluations.empty()) {
      auto evaluation = file.create_group("evaluation");
      for (const auto& [backend, record] : model.evaluations) {
        auto group = evaluation.create_group(backend);
        group.write_double_attribute("accuracy", record.accuracy);
        group.write_int64_attribute("images", static_cast<std::int64_t>(record.images));
        group.write_string_attribute("dataset", record.dataset);
        group.write_matrix("confusion", record.confusion);
      }
    }
    file.close();
  }
  target.commit();
}

}  // namespace imcosim::nn
