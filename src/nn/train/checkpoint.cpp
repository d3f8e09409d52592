#include "imcosim/nn/checkpoint.hpp"

#include "../../io/configuration_hash.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/nn/error.hpp"
#include "imcosim/nn/model_file.hpp"

namespace imcosim::nn {

namespace {

Eigen::MatrixXd as_column(const std::vector<double>& values) {
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace

std::string training_fingerprint(const HybridNetwork& network, const TrainingSettings& settings,
                                 const ImageDataset& train_set) {
  io::ConfigurationHash hash;
  hash.add(network.architecture().text());
  hash.add(precision_name(network.precision()));
  for (const auto& [name, value] : settings_record(settings)) {
    hash.add(name + "=" + value + "\n");
  }
  for (const auto* parameter : network.model().parameters()) {
    const Eigen::Map<const Eigen::VectorXf> values(
        parameter->values.data(), static_cast<Eigen::Index>(parameter->values.size()));
    hash.add(Eigen::MatrixXd(values.cast<double>()));
  }
  hash.add(settings.hardware);
  hash.add(train_set.source());
  hash.add(std::string_view(reinterpret_cast<const char*>(train_set.labels().data()),
                            train_set.labels().size() * sizeof(std::int32_t)));
  return hash.hex();
}

void write_checkpoint(const std::filesystem::path& path, const std::string& fingerprint,
                      const HybridNetwork& network, Optimizer<float>& optimizer,
                      const std::vector<EpochRecord>& log) {
  io::AtomicFile target(path);
  {
    auto file = io::hdf5::File::create(target.temporary_path());
    file.write_string_attribute("fingerprint", fingerprint);
    file.write_int64_attribute("optimizer_steps", optimizer.steps());
    auto parameters = file.create_group("parameters");
    write_parameters(parameters, network);
    auto moments = file.create_group("optimizer");
    for (std::size_t p = 0; p < optimizer.first_moments().size(); ++p) {
      auto group = moments.create_group(std::to_string(p));
      group.write_matrix("first", as_column(optimizer.first_moments()[p]));
      if (!optimizer.second_moments()[p].empty()) {
        group.write_matrix("second", as_column(optimizer.second_moments()[p]));
      }
    }
    file.write_matrix("log", log_matrix(log));
    file.close();
  }
  target.commit();
}

std::vector<EpochRecord> read_checkpoint(const std::filesystem::path& path,
                                         const std::string& fingerprint, HybridNetwork& network,
                                         Optimizer<float>& optimizer) {
  const auto file = io::hdf5::File::open_read_only(path);
  if (file.read_string_attribute("fingerprint") != fingerprint) {
    throw NnError(file.file_name() +
                  ": this checkpoint belongs to another training run (other settings, model or "
                  "data); remove it to start afresh");
  }
  read_parameters(file.open_group("parameters"), network);
  optimizer.steps() = file.read_int64_attribute("optimizer_steps");
  for (std::size_t p = 0; p < optimizer.first_moments().size(); ++p) {
    const auto group = file.open_group("optimizer/" + std::to_string(p));
    for (const auto& [name, target] : {std::pair{"first", &optimizer.first_moments()[p]},
                                       std::pair{"second", &optimizer.second_moments()[p]}}) {
      if (target->empty()) {
        continue;  // SGD keeps no second moments
      }
      const Eigen::MatrixXd values = group.open_dataset(name).read_matrix();
      if (static_cast<std::size_t>(values.size()) != target->size()) {
        throw NnError(file.file_name() + ": optimiser state " + std::to_string(p) + "/" + name +
                      " has the wrong size");
      }
      target->assign(values.data(), values.data() + values.size());
    }
  }
  return log_records(file.open_dataset("log").read_matrix(), file.file_name() + ":/log");
}

}  // namespace imcosim::nn
