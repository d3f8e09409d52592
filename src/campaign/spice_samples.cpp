#include "spice_samples.hpp"

#include <string>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/netlist/tile_deck.hpp"

namespace imcosim::campaign {

Eigen::MatrixXd simulate_samples(spice::WorkerPool& pool, const circuit::WireResistances& wires,
                                 const std::vector<SpiceSample>& samples) {
  if (samples.empty()) {
    return {};
  }
  const Eigen::Index vectors = samples.front().inputs_volt->rows();
  const Eigen::Index cols = samples.front().reads_g_siemens->front().cols();

  // 1. One deck per read, reading every sense ammeter.
  std::vector<std::string> vector_names;
  for (Eigen::Index j = 0; j < cols; ++j) {
    vector_names.push_back(netlist::sense_current_vector(j));
  }
  std::vector<spice::SpiceJob> jobs;
  for (const auto& sample : samples) {
    const auto reads = static_cast<Eigen::Index>(sample.reads_g_siemens->size());
    const Eigen::Index per_read = vectors / reads;
    for (Eigen::Index r = 0; r < reads; ++r) {
      const circuit::TileNetwork network(
          circuit::CrossbarTile((*sample.reads_g_siemens)[static_cast<std::size_t>(r)], wires));
      jobs.push_back(
          {netlist::tile_batch_deck(network, sample.inputs_volt->middleRows(r * per_read, per_read),
                                    "imcosim campaign sample " + std::to_string(sample.index)),
           {"run"},
           vector_names});
    }
  }

  // 2. Run them all on the workers in parallel.
  const auto outcomes = pool.run_all(jobs);

  // 3. Collect the currents in sample order.
  Eigen::MatrixXd currents(static_cast<Eigen::Index>(samples.size()) * vectors, cols);
  std::size_t job = 0;
  for (std::size_t p = 0; p < samples.size(); ++p) {
    const auto& sample = samples[p];
    const auto reads = static_cast<Eigen::Index>(sample.reads_g_siemens->size());
    const Eigen::Index per_read = vectors / reads;
    for (Eigen::Index r = 0; r < reads; ++r, ++job) {
      const auto& outcome = outcomes[job];
      if (const auto* error = std::get_if<spice::SpiceError>(&outcome)) {
        throw spice::SpiceError(
            error->kind(),
            "ngspice failed on sample " + std::to_string(sample.index) + ": " + error->what(),
            error->ngspice_messages());
      }
      const auto& values = std::get<spice::SpiceResult>(outcome).vectors;
      for (Eigen::Index j = 0; j < cols; ++j) {
        const auto& points = values[static_cast<std::size_t>(j)];
        if (static_cast<Eigen::Index>(points.size()) != per_read) {
          throw spice::SpiceError(ErrorKind::runtime,
                                  "ngspice returned " + std::to_string(points.size()) +
                                      " points for " + vector_names[static_cast<std::size_t>(j)] +
                                      " of sample " + std::to_string(sample.index) + ", expected " +
                                      std::to_string(per_read));
        }
        for (Eigen::Index k = 0; k < per_read; ++k) {
          currents(static_cast<Eigen::Index>(p) * vectors + r * per_read + k, j) =
              points[static_cast<std::size_t>(k)];
        }
      }
    }
  }
  return currents;
}

}  // namespace imcosim::campaign
