#include "imcosim/campaign/campaign.hpp"

#include "../io/configuration_hash.hpp"
#include "imcosim/campaign/error.hpp"
#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/device/random_stream.hpp"
#include "imcosim/device/tile_devices.hpp"
#include "imcosim/imac/evaluation_file.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/solver/ideal_solver.hpp"
#include "imcosim/solver/transfer_solver.hpp"
#include "network_samples.hpp"
#include "parallel_for.hpp"
#include "sample_streams.hpp"
#include "spice_samples.hpp"

namespace imcosim::campaign {

namespace {

// The shared targets come from an index no sample can have (samples are < 2^63).
constexpr std::uint64_t shared_targets_index = ~std::uint64_t{0};

// The nominal circuit is solved exactly, wires included, whenever the campaign has an exact
// solver; with solver = none or ideal it is the ideal product like the solver back-end.
bool nominal_is_exact(const CampaignConfig& config) {
  return config.solver && *config.solver != solver::SolverMethod::ideal;
}

// One sample as the fast back-ends see it; `reads` are kept for ngspice.
struct SampleResult {
  std::uint64_t seed = 0;
  Eigen::MatrixXd inputs_volt;           // K x M
  Eigen::MatrixXd programmed_g_siemens;  // M x N
  Eigen::MatrixXd target_g_siemens;      // M x N, kept for store_targets with per-sample targets
  std::vector<Eigen::MatrixXd> outputs;  // per back-end, K x N
  std::vector<Eigen::MatrixXd> reads;    // 1 read for all K vectors, or K reads of one each
};

Eigen::MatrixXd read_input_file(const CampaignConfig& config) {
  if (config.input_source != InputSource::file) {
    return {};
  }
  auto file = io::hdf5::File::open_read_only(config.input_file);
  Eigen::MatrixXd inputs = file.open_dataset("inputs").read_matrix();
  if (inputs.rows() < 1 || inputs.cols() != config.rows) {
    throw CampaignError(ErrorKind::bad_input, config.input_file.string() + ":/inputs has shape [" +
                                                  std::to_string(inputs.rows()) + "][" +
                                                  std::to_string(inputs.cols()) +
                                                  "]; expected [K][" + std::to_string(config.rows) +
                                                  "] with K >= 1 (one input vector of " +
                                                  std::to_string(config.rows) + " volts per row)");
  }
  for (Eigen::Index k = 0; k < inputs.rows(); ++k) {
    if (!inputs.row(k).allFinite()) {
      throw CampaignError(ErrorKind::bad_input, config.input_file.string() + ":/inputs row " +
                                                    std::to_string(k) + " is not finite");
    }
  }
  return inputs;
}

// A network's input file may label its rows (/labels, as imcosim imac reads it): each label one
// of the network's classes.
std::vector<Eigen::Index> read_input_labels(const CampaignConfig& config) {
  if (!config.network || config.input_source != InputSource::file) {
    return {};
  }
  const auto labels = imac::read_network_inputs(config.input_file).labels;
  if (!labels) {
    return {};
  }
  for (std::size_t k = 0; k < labels->size(); ++k) {
    if ((*labels)[k] >= config.cols) {
      throw CampaignError(ErrorKind::bad_input,
                          config.input_file.string() + ":/labels[" + std::to_string(k) + "] = " +
                              std::to_string((*labels)[k]) + " is not a class of the network's " +
                              std::to_string(config.cols) + " outputs");
    }
  }
  return *labels;
}

// Row-major, as one row of a block's conductance matrices.
Eigen::RowVectorXd row_major(const Eigen::MatrixXd& matrix) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = matrix;
  return Eigen::Map<const Eigen::RowVectorXd>(rows.data(), rows.size());
}

}  // namespace

// What every sample shares when the targets are shared: the targets and the exact transfer
// matrix of the nominal tile (thread-safe: evaluating it is one dense product).
struct Campaign::Shared {
  Eigen::MatrixXd target_g_siemens;
  std::unique_ptr<solver::TransferSolver> nominal;
};

Campaign::Campaign(CampaignConfig config, const NetworkResources& resources)
    : config_(std::move(config)),
      device_model_(config_.device, "[device]"),
      file_inputs_volt_(read_input_file(config_)),
      file_labels_(read_input_labels(config_)),
      text_(canonical_text(config_)),
      shared_(std::make_unique<Shared>()) {
  // 1. The fingerprint covers the configuration and the values of an input file (its labels
  //    too).
  io::ConfigurationHash hash;
  hash.add(text_);
  hash.add(file_inputs_volt_);
  if (labelled()) {
    Eigen::MatrixXd labels(static_cast<Eigen::Index>(file_labels_.size()), 1);
    for (std::size_t k = 0; k < file_labels_.size(); ++k) {
      labels(static_cast<Eigen::Index>(k), 0) = static_cast<double>(file_labels_[k]);
    }
    hash.add(labels);
  }
  device_count_ = config_.rows * config_.cols;

  // 2. A network: its weights, and what its samples share (nominal network, neuron table).
  if (config_.network) {
    for (const auto& layer : config_.network->model->layers()) {
      hash.add(layer.weight);
      hash.add(layer.bias);
    }
    hash_ = hash.hex();
    network_ = std::make_unique<NetworkSamples>(config_, device_model_, resources);
    device_count_ = network_->device_count();
    return;
  }
  hash_ = hash.hex();

  // 3. Shared targets, and the nominal circuit's exact transfer matrix.
  if (config_.targets == TargetMode::shared) {
    auto stream = device::RandomStream(device::derive_seed(config_.seed, shared_targets_index));
    shared_->target_g_siemens =
        device::draw_target_states(device_model_, config_.rows, config_.cols, stream);
    if (nominal_is_exact(config_)) {
      shared_->nominal = std::make_unique<solver::TransferSolver>(
          circuit::TileNetwork(circuit::CrossbarTile(shared_->target_g_siemens, config_.wires)));
    }
  }
}

Campaign::~Campaign() = default;

std::vector<std::string> Campaign::output_names() const {
  if (network_) {
    return network_->output_names();
  }
  std::vector<std::string> names{"nominal"};
  if (config_.ideal) {
    names.emplace_back("ideal");
  }
  if (config_.solver) {
    names.emplace_back("solver");
  }
  return names;
}

bool Campaign::is_spice_sample(std::int64_t sample) const noexcept {
  return config_.spice_every > 0 && sample % config_.spice_every == 0;
}

SampleBlock Campaign::evaluate(std::int64_t first, std::int64_t count,
                               const EvaluationOptions& options) const {
  if (network_) {
    return network_->evaluate(first, count, options, file_inputs_volt_, file_labels_);
  }
  const Eigen::Index vectors = config_.vectors_per_sample;
  const Eigen::Index rows = config_.rows;
  const Eigen::Index cols = config_.cols;
  const bool read_noise = device_model_.parameters().c2c_noise_percent > 0.0;

  // 1. The fast back-ends, one sample per task: every sample depends on its own seed only.
  std::vector<SampleResult> results(static_cast<std::size_t>(count));
  parallel_for(count, options.threads, [&](std::int64_t position) {
    const std::int64_t sample = first + position;
    SampleResult& result = results[static_cast<std::size_t>(position)];
    result.seed = device::derive_seed(config_.seed, static_cast<std::uint64_t>(sample));

    // 1a. Targets and programming (d2d variation, faults, drift).
    auto device_stream = stream_for(result.seed, Stream::devices);
    const Eigen::MatrixXd targets =
        config_.targets == TargetMode::shared
            ? shared_->target_g_siemens
            : device::draw_target_states(device_model_, rows, cols, device_stream);
    const auto programmed = device::program_tile(device_model_, targets, device_stream);
    result.programmed_g_siemens = programmed.programmed_g_siemens;
    if (config_.store_targets && config_.targets == TargetMode::per_sample) {
      result.target_g_siemens = targets;
    }

    // 1b. Input vectors: uniform voltages, or the next K rows of the input file.
    result.inputs_volt = sample_inputs(config_, file_inputs_volt_, sample, result.seed);

    // 1c. Reads: one for all vectors, or with read noise one fresh read per vector.
    auto read_stream = stream_for(result.seed, Stream::reads);
    const Eigen::Index read_count = read_noise ? vectors : 1;
    for (Eigen::Index r = 0; r < read_count; ++r) {
      result.reads.push_back(device::read_conductances(device_model_, programmed, read_stream));
    }
    const Eigen::Index vectors_per_read = vectors / read_count;

    // 1d. The nominal circuit: target conductances, no variation, fault, drift or noise.
    const circuit::CrossbarTile nominal_tile(targets, config_.wires);
    if (!nominal_is_exact(config_)) {
      result.outputs.push_back(solver::ideal_output_currents(nominal_tile, result.inputs_volt));
    } else if (shared_->nominal) {
      result.outputs.push_back(shared_->nominal->output_currents(result.inputs_volt));
    } else {
      result.outputs.push_back(solver::make_tile_solver(*config_.solver, nominal_tile, vectors)
                                   ->solve(result.inputs_volt)
                                   .currents_ampere);
    }

    // 1e. The device-level back-ends on what each read sees.
    Eigen::MatrixXd ideal(vectors, cols);
    Eigen::MatrixXd solved(vectors, cols);
    for (Eigen::Index r = 0; r < read_count; ++r) {
      const circuit::CrossbarTile tile(result.reads[static_cast<std::size_t>(r)], config_.wires);
      const Eigen::MatrixXd inputs =
          result.inputs_volt.middleRows(r * vectors_per_read, vectors_per_read);
      if (config_.ideal) {
        ideal.middleRows(r * vectors_per_read, vectors_per_read) =
            solver::ideal_output_currents(tile, inputs);
      }
      if (config_.solver) {
        solved.middleRows(r * vectors_per_read, vectors_per_read) =
            solver::make_tile_solver(*config_.solver, tile, vectors_per_read)
                ->solve(inputs)
                .currents_ampere;
      }
    }
    if (config_.ideal) {
      result.outputs.push_back(std::move(ideal));
    }
    if (config_.solver) {
      result.outputs.push_back(std::move(solved));
    }
  });

  // 2. Gather the block in sample order.
  SampleBlock block;
  block.first_sample = first;
  block.sample_count = count;
  block.sample_seed.resize(count, 1);
  block.inputs_volt.resize(count * vectors, rows);
  block.conductance_siemens.resize(config_.store_conductances ? count : 0, rows * cols);
  if (config_.store_targets && config_.targets == TargetMode::shared) {
    block.target_siemens = first == 0 ? Eigen::MatrixXd(row_major(shared_->target_g_siemens))
                                      : Eigen::MatrixXd(0, rows * cols);
  } else if (config_.store_targets) {
    block.target_siemens.resize(count, rows * cols);
  }
  const auto names = output_names();
  for (const auto& name : names) {
    block.outputs.emplace_back(name, Eigen::MatrixXd(count * vectors, cols));
  }
  std::vector<std::int64_t> spice_positions;
  for (std::int64_t position = 0; position < count; ++position) {
    const auto& result = results[static_cast<std::size_t>(position)];
    block.sample_seed(position, 0) = static_cast<double>(result.seed);
    block.inputs_volt.middleRows(position * vectors, vectors) = result.inputs_volt;
    if (config_.store_conductances) {
      block.conductance_siemens.row(position) = row_major(result.programmed_g_siemens);
    }
    if (config_.store_targets && config_.targets == TargetMode::per_sample) {
      block.target_siemens.row(position) = row_major(result.target_g_siemens);
    }
    for (std::size_t b = 0; b < names.size(); ++b) {
      block.outputs[b].second.middleRows(position * vectors, vectors) = result.outputs[b];
    }
    if (is_spice_sample(first + position)) {
      spice_positions.push_back(position);
    }
  }

  // 3. ngspice on the chosen samples, all of the block's at once over the pool's workers.
  std::vector<SpiceSample> spice_samples;
  for (const std::int64_t position : spice_positions) {
    const auto& result = results[static_cast<std::size_t>(position)];
    spice_samples.push_back({first + position, &result.inputs_volt, &result.reads});
  }
  block.spice_sample.resize(static_cast<Eigen::Index>(spice_samples.size()), 1);
  for (std::size_t p = 0; p < spice_samples.size(); ++p) {
    block.spice_sample(static_cast<Eigen::Index>(p), 0) =
        static_cast<double>(spice_samples[p].index);
  }
  block.spice_outputs.resize(0, cols);
  if (!spice_samples.empty()) {
    if (options.pool == nullptr) {
      throw CampaignError(ErrorKind::runtime,
                          "the campaign runs ngspice but no worker pool was given");
    }
    block.spice_outputs = simulate_samples(*options.pool, config_.wires, spice_samples);
  }
  return block;
}

}  // namespace imcosim::campaign
