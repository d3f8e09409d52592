#include "nn_imac_options.hpp"

#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "imcosim/error.hpp"
#include "imcosim/imac/deck.hpp"
#include "neuron_cache_option.hpp"

namespace imcosim::cli {

void add_imac_circuit_options(CommandSyntax& syntax) {
  syntax.options.add_options()  //
      ("config", po::value<std::string>(),
       "IMAC circuit configuration (INI, as imcosim imac --config; default: the reference "
       "circuit)")  //
      ("encoding", po::value<std::string>()->default_value("ternary"),
       "IMAC weights: ternary or binary")  //
      ("dac-full-scale", po::value<double>()->default_value(0.8),
       "volts of int8 code 127 at the TPU -> IMAC boundary");
  add_neuron_cache_option(syntax);
}

imac::ImacParameters imac_circuit_parameters(const po::variables_map& values,
                                             const std::string& stored) {
  if (values.count("config") != 0) {
    return imac::read_parameters(values["config"].as<std::string>());
  }
  if (!stored.empty()) {
    std::istringstream text(stored);
    return imac::parse_parameters(text, "the model file's IMAC configuration");
  }
  return {};
}

std::string imac_config_text(const po::variables_map& values) {
  if (values.count("config") == 0) {
    return {};
  }
  const auto path = values["config"].as<std::string>();
  (void)imac::read_parameters(path);  // valid, or a message naming the file and key
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

imac::WeightEncoding imac_encoding(const po::variables_map& values) {
  const auto& name = values["encoding"].as<std::string>();
  if (name == "ternary") {
    return imac::WeightEncoding::ternary;
  }
  if (name == "binary") {
    return imac::WeightEncoding::binary;
  }
  throw UsageError("--encoding must be ternary or binary, not '" + name + "'");
}

nn::DacParameters dac_parameters(const po::variables_map& values) {
  const double full_scale = values["dac-full-scale"].as<double>();
  if (!(full_scale > 0.0) || !std::isfinite(full_scale)) {
    throw UsageError("--dac-full-scale must be a finite voltage > 0");
  }
  return {full_scale};
}

imac::NeuronTable characterised_neuron(const po::variables_map& values,
                                       const imac::ImacParameters& parameters,
                                       spice::WorkerPool& pool) {
  return imac::characterise_neuron(pool, imac::neuron_circuit(parameters),
                                   imac::neuron_grid_for(parameters),
                                   neuron_cache_directory(values));
}

namespace {

std::shared_ptr<nn::ImacCircuit> attach_circuit(const po::variables_map& values,
                                                nn::HybridNetwork& network,
                                                imac::WeightEncoding encoding,
                                                spice::WorkerPool& pool,
                                                const std::string& stored_config, bool wires) {
  auto parameters = imac_circuit_parameters(values, stored_config);
  if (!wires) {
    parameters.wire_model = imac::WireModel::ideal;
  }
  std::vector<Eigen::Index> sizes;
  for (const auto size : network.architecture().imac_sizes()) {
    sizes.push_back(static_cast<Eigen::Index>(size));
  }
  auto table = characterised_neuron(values, parameters, pool);
  auto circuit = std::make_shared<nn::ImacCircuit>(parameters, std::move(table), sizes, encoding);
  network.attach_imac(circuit, dac_parameters(values));
  circuit->refresh_wires(network.imac_model().layers());
  return circuit;
}

}  // namespace

void attach_ideal_circuit(const po::variables_map& values, nn::HybridNetwork& network,
                          imac::WeightEncoding encoding, spice::WorkerPool& pool,
                          const std::string& stored_config) {
  // Training and the imac-ideal back-end see the circuit without wire resistance.
  (void)attach_circuit(values, network, encoding, pool, stored_config, false);
}

std::shared_ptr<nn::ImacCircuit> attach_wired_circuit(const po::variables_map& values,
                                                      nn::HybridNetwork& network,
                                                      imac::WeightEncoding encoding,
                                                      spice::WorkerPool& pool,
                                                      const std::string& stored_config) {
  return attach_circuit(values, network, encoding, pool, stored_config, true);
}

}  // namespace imcosim::cli
