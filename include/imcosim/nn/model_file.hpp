#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/imac/model.hpp"
#include "imcosim/nn/network.hpp"
#include "imcosim/nn/training.hpp"

namespace imcosim::io::hdf5 {
class Group;
}

namespace imcosim::nn {

// Accuracy of one back-end on one test set, as `imcosim nn evaluate` stores it.
struct EvaluationRecord {
  double accuracy = 0.0;
  std::size_t images = 0;
  std::string dataset;
  Eigen::MatrixXd confusion;  // [true class][predicted class], counts
};

// A CNN model file (docs/nn.md): the architecture, the learnt parameters, the training log and
// hyper-parameters, and the evaluations made of it.
struct ModelFile {
  explicit ModelFile(HybridNetwork network_) : network(std::move(network_)) {}

  HybridNetwork network;
  std::vector<EpochRecord> log;
  std::map<std::string, std::string> settings;          // hyper-parameters as written, by name
  std::map<std::string, EvaluationRecord> evaluations;  // by back-end
  // imac-ideal models: the circuit's weight encoding and the DAC. The circuit itself (its
  // neuron characterisation needs ngspice) is attached again by the reader's caller.
  std::optional<imac::WeightEncoding> imac_encoding;
  DacParameters dac{};
};

// The IMAC configuration (INI text) an imac-ideal model was trained with; empty: the reference
// circuit.
std::string stored_imac_config(const ModelFile& model);

// Reads a model file; throws NnError or io::IoError naming the file and the entry.
ModelFile read_model_file(const std::filesystem::path& path);
// Writes it atomically (temporary name, then rename).
void write_model_file(const std::filesystem::path& path, const ModelFile& model);

// The settings as the name -> text map stored in files and compared on resume.
std::map<std::string, std::string> settings_record(const TrainingSettings& settings);

// Parameters under `group`/<layer>/<name> (float64, rank 1 or 2), and back.
void write_parameters(io::hdf5::Group& group, const HybridNetwork& network);
void read_parameters(const io::hdf5::Group& group, HybridNetwork& network);

// The log as a [epochs][6] matrix: epoch, loss, train accuracy, test accuracy, seconds, images/s.
Eigen::MatrixXd log_matrix(const std::vector<EpochRecord>& log);
std::vector<EpochRecord> log_records(const Eigen::MatrixXd& matrix, const std::string& where);

}  // namespace imcosim::nn
