#include "imcosim/spice/tile_simulation.hpp"

#include <algorithm>
#include <span>

#include "imcosim/netlist/tile_deck.hpp"

namespace imcosim::spice {

Eigen::MatrixXd simulate_tile(WorkerPool& pool, const circuit::TileNetwork& network,
                              const Eigen::MatrixXd& inputs_volt,
                              const TileSimulationOptions& options) {
  const Eigen::Index samples = inputs_volt.rows();
  const Eigen::Index outputs = network.output_count();
  if (options.samples_per_run < 1) {
    throw SpiceError(ErrorKind::bad_input, "samples per ngspice run must be at least 1, not " +
                                               std::to_string(options.samples_per_run));
  }

  // 1. Split the samples into batches: at most samples_per_run each, and enough batches to
  //    keep every worker busy.
  const Eigen::Index workers = pool.options().worker_count;
  const Eigen::Index batch_size =
      std::clamp((samples + workers - 1) / workers, Eigen::Index{1}, options.samples_per_run);
  struct Batch {
    Eigen::Index first;
    Eigen::Index count;
  };
  std::vector<Batch> batches;
  for (Eigen::Index first = 0; first < samples; first += batch_size) {
    batches.push_back({first, std::min(batch_size, samples - first)});
  }

  // 2. One deck per batch: a DC sweep over the sample index, reading every sense ammeter.
  std::vector<std::string> vector_names;
  for (Eigen::Index j = 0; j < outputs; ++j) {
    vector_names.push_back(netlist::sense_current_vector(j));
  }
  Eigen::MatrixXd currents(samples, outputs);
  Eigen::Index done = 0;
  for (std::size_t start = 0; start < batches.size(); start += static_cast<std::size_t>(workers)) {
    const std::size_t end = std::min(batches.size(), start + static_cast<std::size_t>(workers));
    std::vector<SpiceJob> jobs;
    for (std::size_t b = start; b < end; ++b) {
      const auto& batch = batches[b];
      jobs.push_back(
          {netlist::tile_batch_deck(network, inputs_volt.middleRows(batch.first, batch.count),
                                    "imcosim tile, samples " + std::to_string(batch.first) +
                                        " to " + std::to_string(batch.first + batch.count - 1)),
           {"run"},
           vector_names});
    }

    // 3. Run them on the workers in parallel; collect the currents in sample order.
    auto outcomes = pool.run_all(jobs);
    for (std::size_t b = start; b < end; ++b) {
      const auto& batch = batches[b];
      auto& outcome = outcomes[b - start];
      if (auto* error = std::get_if<SpiceError>(&outcome)) {
        throw SpiceError(error->kind(),
                         "ngspice failed on samples " + std::to_string(batch.first) + " to " +
                             std::to_string(batch.first + batch.count - 1) + ": " + error->what(),
                         error->ngspice_messages());
      }
      const auto& vectors = std::get<SpiceResult>(outcome).vectors;
      for (Eigen::Index j = 0; j < outputs; ++j) {
        const auto& vector = vectors[static_cast<std::size_t>(j)];
        if (static_cast<Eigen::Index>(vector.size()) != batch.count) {
          throw SpiceError(ErrorKind::runtime, "ngspice returned " + std::to_string(vector.size()) +
                                                   " points for " +
                                                   vector_names[static_cast<std::size_t>(j)] +
                                                   ", expected " + std::to_string(batch.count));
        }
        for (Eigen::Index k = 0; k < batch.count; ++k) {
          currents(batch.first + k, j) = vector[static_cast<std::size_t>(k)];
        }
      }
      done += batch.count;
    }
    if (options.on_progress) {
      options.on_progress(done, samples);
    }
  }
  return currents;
}

}  // namespace imcosim::spice
