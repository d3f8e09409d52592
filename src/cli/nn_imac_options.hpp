#pragma once

#include <memory>

#include "command_line.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/imac/parameters.hpp"
#include "imcosim/nn/imac_circuit.hpp"
#include "imcosim/nn/model_file.hpp"
#include "imcosim/nn/network.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::cli {

// The options of the commands that put a CNN's FC part on IMAC: --config (the circuit, as
// `imcosim imac --config`), --encoding, --dac-full-scale, --cache-dir (neuron
// characterisations).
void add_imac_circuit_options(CommandSyntax& syntax);
// The circuit of --config, else the configuration text a model was trained with (`stored`,
// empty for the reference circuit), else the reference circuit.
[[nodiscard]] imac::ImacParameters imac_circuit_parameters(const po::variables_map& values,
                                                           const std::string& stored = {});
// The text of --config (empty without it), to store with a trained model.
[[nodiscard]] std::string imac_config_text(const po::variables_map& values);
[[nodiscard]] imac::WeightEncoding imac_encoding(const po::variables_map& values);
[[nodiscard]] nn::DacParameters dac_parameters(const po::variables_map& values);

// The neuron of `parameters`, characterised by ngspice (or from the cache).
[[nodiscard]] imac::NeuronTable characterised_neuron(const po::variables_map& values,
                                                     const imac::ImacParameters& parameters,
                                                     spice::WorkerPool& pool);

// Attaches the ideal-wire circuit (imac_circuit_parameters) to the quantised `network`.
void attach_ideal_circuit(const po::variables_map& values, nn::HybridNetwork& network,
                          imac::WeightEncoding encoding, spice::WorkerPool& pool,
                          const std::string& stored_config = {});
// The same with the wire model of imac_circuit_parameters (ideal or with parasitics), its wire
// correction refreshed on the network's quantised weights; returned for later refreshes.
std::shared_ptr<nn::ImacCircuit> attach_wired_circuit(const po::variables_map& values,
                                                      nn::HybridNetwork& network,
                                                      imac::WeightEncoding encoding,
                                                      spice::WorkerPool& pool,
                                                      const std::string& stored_config = {});

}  // namespace imcosim::cli
