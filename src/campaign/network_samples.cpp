#include "network_samples.hpp"

#include <omp.h>

#include "imcosim/campaign/error.hpp"
#include "imcosim/device/tile_devices.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/spice_evaluation.hpp"
#include "parallel_for.hpp"
#include "sample_streams.hpp"

namespace imcosim::campaign {

namespace {

// The fast evaluator spreads its input vectors over OpenMP threads; the campaign already runs
// one sample per thread, and a team per sample thread would oversubscribe the cores. Restores
// the calling thread's setting on exit.
class SingleOpenMpThread {
 public:
  SingleOpenMpThread() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~SingleOpenMpThread() { omp_set_num_threads(saved_); }
  SingleOpenMpThread(const SingleOpenMpThread&) = delete;
  SingleOpenMpThread& operator=(const SingleOpenMpThread&) = delete;

 private:
  int saved_;
};

// The rows one back-end gives a run of input vectors: output voltages, class and power.
struct BackendRows {
  Eigen::MatrixXd outputs_volt;
  Eigen::MatrixXd predicted_class;
  Eigen::MatrixXd power_watt;

  BackendRows(Eigen::Index rows, Eigen::Index outputs)
      : outputs_volt(rows, outputs), predicted_class(rows, 1), power_watt(rows, 1) {}

  void set(Eigen::Index first_row, const imac::ImacEvaluation& evaluation) {
    const Eigen::Index rows = evaluation.outputs_volt.rows();
    outputs_volt.middleRows(first_row, rows) = evaluation.outputs_volt;
    for (Eigen::Index k = 0; k < rows; ++k) {
      predicted_class(first_row + k, 0) =
          static_cast<double>(evaluation.predicted_class[static_cast<std::size_t>(k)]);
    }
    power_watt.middleRows(first_row, rows) = evaluation.power_watt;
  }

  void copy_sample(Eigen::Index to_row, const BackendRows& from, Eigen::Index from_row,
                   Eigen::Index vectors) {
    outputs_volt.middleRows(to_row, vectors) = from.outputs_volt.middleRows(from_row, vectors);
    predicted_class.middleRows(to_row, vectors) =
        from.predicted_class.middleRows(from_row, vectors);
    power_watt.middleRows(to_row, vectors) = from.power_watt.middleRows(from_row, vectors);
  }
};

imac::NeuronTable characterised_neuron(const CampaignConfig& config,
                                       const NetworkResources& resources) {
  if (resources.pool == nullptr) {
    throw CampaignError(ErrorKind::runtime,
                        "a network campaign needs ngspice workers to characterise its neuron");
  }
  const auto& circuit = config.network->circuit;
  return imac::characterise_neuron(*resources.pool, imac::neuron_circuit(circuit),
                                   imac::neuron_grid_for(circuit),
                                   resources.neuron_cache_directory);
}

// Every tile's conductances, tile after tile, each row-major: the layout of a block's
// conductance rows.
Eigen::RowVectorXd tile_conductances(const std::vector<Eigen::MatrixXd>& tiles) {
  Eigen::Index devices = 0;
  for (const auto& tile : tiles) {
    devices += tile.size();
  }
  Eigen::RowVectorXd row(devices);
  Eigen::Index offset = 0;
  for (const auto& tile : tiles) {
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = tile;
    row.segment(offset, tile.size()) =
        Eigen::Map<const Eigen::RowVectorXd>(row_major.data(), row_major.size());
    offset += tile.size();
  }
  return row;
}

Eigen::RowVectorXd nominal_conductances(const imac::ImacNetwork& network) {
  std::vector<Eigen::MatrixXd> tiles;
  for (const auto& layer : network.layers()) {
    for (const auto& tile : layer.tiles) {
      tiles.push_back(tile.conductance_siemens());
    }
  }
  return tile_conductances(tiles);
}

}  // namespace

// One sample: its seed, inputs and programmed devices, the fast back-ends' rows, and the
// network each read sees (kept for ngspice on the samples that run it).
struct NetworkSamples::Sample {
  std::uint64_t seed = 0;
  Eigen::MatrixXd inputs_volt;              // K x n_in
  Eigen::RowVectorXd programmed_g_siemens;  // every device, tile after tile, row-major
  std::vector<BackendRows> backends;        // nominal, then fast
  std::vector<imac::ImacNetwork> reads;     // 1 read for all K vectors, or K reads of one each
};

NetworkSamples::NetworkSamples(const CampaignConfig& config,
                               const device::DeviceModel& device_model,
                               const NetworkResources& resources)
    : config_(config),
      device_model_(device_model),
      nominal_(*config.network->model, config.network->circuit),
      neuron_table_(characterised_neuron(config, resources)),
      nominal_evaluator_(nominal_, neuron_table_),
      target_g_siemens_(nominal_conductances(nominal_)),
      device_count_(target_g_siemens_.size()) {}

std::vector<std::string> NetworkSamples::output_names() const {
  std::vector<std::string> names{"nominal"};
  if (config_.fast) {
    names.emplace_back("fast");
  }
  return names;
}

NetworkSamples::Sample NetworkSamples::evaluate_sample(
    std::int64_t sample, const Eigen::MatrixXd& file_inputs_volt) const {
  const Eigen::Index vectors = config_.vectors_per_sample;
  Sample result;
  result.seed = device::derive_seed(config_.seed, static_cast<std::uint64_t>(sample));

  // 1. Program every device of every tile, in the fixed order of with_programmed_devices, from
  //    the sample's device stream: the targets are the weights' conductances.
  auto device_stream = stream_for(result.seed, Stream::devices);
  std::vector<device::ProgrammedTile> programmed;
  std::vector<Eigen::MatrixXd> programmed_g;
  for (const auto& layer : nominal_.layers()) {
    for (const auto& tile : layer.tiles) {
      programmed.push_back(
          device::program_tile(device_model_, tile.conductance_siemens(), device_stream));
      programmed_g.push_back(programmed.back().programmed_g_siemens);
    }
  }
  result.programmed_g_siemens = tile_conductances(programmed_g);

  // 2. Inputs, and the network each read sees: one read for all vectors, or with read noise a
  //    fresh read (every device of every tile) per vector.
  result.inputs_volt = sample_inputs(config_, file_inputs_volt, sample, result.seed);
  auto read_stream = stream_for(result.seed, Stream::reads);
  const bool read_noise = device_model_.parameters().c2c_noise_percent > 0.0;
  const Eigen::Index read_count = read_noise ? vectors : 1;
  for (Eigen::Index r = 0; r < read_count; ++r) {
    std::size_t next_tile = 0;
    result.reads.push_back(
        nominal_.with_programmed_devices([&](std::size_t, std::size_t, const Eigen::MatrixXd&) {
          return device::read_conductances(device_model_, programmed[next_tile++], read_stream);
        }));
  }

  // 3. The nominal network and the fast evaluator on each read.
  const Eigen::Index outputs = nominal_.output_count();
  result.backends.emplace_back(vectors, outputs);
  result.backends.back().set(0, nominal_evaluator_.evaluate(result.inputs_volt));
  if (config_.fast) {
    const Eigen::Index per_read = vectors / read_count;
    result.backends.emplace_back(vectors, outputs);
    for (Eigen::Index r = 0; r < read_count; ++r) {
      const imac::FastEvaluator evaluator(result.reads[static_cast<std::size_t>(r)], neuron_table_);
      result.backends.back().set(
          r * per_read, evaluator.evaluate(result.inputs_volt.middleRows(r * per_read, per_read)));
    }
  }
  return result;
}

void NetworkSamples::run_spice(const std::vector<Sample>& samples, SampleBlock& block,
                               spice::WorkerPool* pool) const {
  const Eigen::Index vectors = config_.vectors_per_sample;
  // 1. One ngspice transient per read of each sample run in ngspice, into these rows.
  struct Job {
    std::size_t position;
    std::size_t read;
    Eigen::Index first_row;  // in the block's ngspice rows
  };
  std::vector<Job> jobs;
  for (Eigen::Index p = 0; p < block.spice_sample.rows(); ++p) {
    const auto position = static_cast<std::size_t>(
        static_cast<std::int64_t>(block.spice_sample(p, 0)) - block.first_sample);
    const auto reads = samples[position].reads.size();
    for (std::size_t r = 0; r < reads; ++r) {
      jobs.push_back({position, r,
                      p * vectors + static_cast<Eigen::Index>(r) * vectors /
                                        static_cast<Eigen::Index>(reads)});
    }
  }
  BackendRows rows(block.spice_sample.rows() * vectors, nominal_.output_count());
  if (!jobs.empty()) {
    if (pool == nullptr) {
      throw CampaignError(ErrorKind::runtime,
                          "the campaign runs ngspice but no worker pool was given");
    }
    // 2. One transient after another, from this thread: each is one deck of its own devices,
    //    and evaluate_with_spice spreads only a deck's runs over the workers. Calling it from
    //    several threads at once would fork workers while other threads allocate, which hangs
    //    the child under AddressSanitizer (see spice/worker_pool.cpp).
    for (const auto& job : jobs) {
      const auto& sample = samples[job.position];
      const Eigen::Index per_read = vectors / static_cast<Eigen::Index>(sample.reads.size());
      rows.set(job.first_row, imac::evaluate_with_spice(
                                  *pool, sample.reads[job.read],
                                  sample.inputs_volt.middleRows(
                                      static_cast<Eigen::Index>(job.read) * per_read, per_read)));
    }
  }
  block.spice_outputs = std::move(rows.outputs_volt);
  block.spice_predicted_class = std::move(rows.predicted_class);
  block.spice_power_watt = std::move(rows.power_watt);
}

SampleBlock NetworkSamples::evaluate(std::int64_t first, std::int64_t count,
                                     const EvaluationOptions& options,
                                     const Eigen::MatrixXd& file_inputs_volt,
                                     const std::vector<Eigen::Index>& file_labels) const {
  const Eigen::Index vectors = config_.vectors_per_sample;
  // 1. The nominal and fast back-ends, one sample per task: every sample depends on its own
  //    seed only.
  std::vector<Sample> samples(static_cast<std::size_t>(count));
  parallel_for(count, options.threads, [&](std::int64_t position) {
    const SingleOpenMpThread single_thread;
    samples[static_cast<std::size_t>(position)] =
        evaluate_sample(first + position, file_inputs_volt);
  });

  // 2. Gather the block in sample order.
  SampleBlock block;
  block.first_sample = first;
  block.sample_count = count;
  block.sample_seed.resize(count, 1);
  block.inputs_volt.resize(count * vectors, config_.rows);
  block.conductance_siemens.resize(config_.store_conductances ? count : 0, device_count_);
  if (config_.store_targets) {
    block.target_siemens =
        first == 0 ? Eigen::MatrixXd(target_g_siemens_) : Eigen::MatrixXd(0, device_count_);
  }
  // Sample s's vectors are rows s K ... s K + K - 1 of the input file, wrapped (sample_inputs).
  if (!file_labels.empty()) {
    block.labels.resize(count * vectors, 1);
    const auto file_rows = static_cast<std::int64_t>(file_labels.size());
    for (std::int64_t row = 0; row < count * vectors; ++row) {
      block.labels(row, 0) = static_cast<double>(
          file_labels[static_cast<std::size_t>((first * vectors + row) % file_rows)]);
    }
  }
  const auto names = output_names();
  std::vector<BackendRows> backends(names.size(), BackendRows(count * vectors, config_.cols));
  std::vector<double> spice_samples;
  for (std::int64_t position = 0; position < count; ++position) {
    const auto& sample = samples[static_cast<std::size_t>(position)];
    block.sample_seed(position, 0) = static_cast<double>(sample.seed);
    block.inputs_volt.middleRows(position * vectors, vectors) = sample.inputs_volt;
    if (config_.store_conductances) {
      block.conductance_siemens.row(position) = sample.programmed_g_siemens;
    }
    for (std::size_t b = 0; b < names.size(); ++b) {
      backends[b].copy_sample(position * vectors, sample.backends[b], 0, vectors);
    }
    if (config_.spice_every > 0 && (first + position) % config_.spice_every == 0) {
      spice_samples.push_back(static_cast<double>(first + position));
    }
  }
  for (std::size_t b = 0; b < names.size(); ++b) {
    block.outputs.emplace_back(names[b], std::move(backends[b].outputs_volt));
    block.predicted_class.emplace_back(names[b], std::move(backends[b].predicted_class));
    block.power_watt.emplace_back(names[b], std::move(backends[b].power_watt));
  }
  block.spice_sample = Eigen::Map<const Eigen::VectorXd>(
      spice_samples.data(), static_cast<Eigen::Index>(spice_samples.size()));

  // 3. ngspice on the chosen samples.
  run_spice(samples, block, options.pool);
  return block;
}

}  // namespace imcosim::campaign
