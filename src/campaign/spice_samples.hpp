#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::campaign {

// What ngspice needs of one sample: its K input vectors and the conductances of each read
// (one read for all K vectors, or one per vector with read noise).
struct SpiceSample {
  std::int64_t index = 0;
  const Eigen::MatrixXd* inputs_volt = nullptr;                   // K x M
  const std::vector<Eigen::MatrixXd>* reads_g_siemens = nullptr;  // each M x N
};

// Simulates every read of every sample in ngspice: one job (one DC sweep over the read's input
// vectors) per read, all jobs spread over the pool's workers at once, so that samples run in
// parallel; spice::simulate_tile parallelises within one tile instead. Returns the currents
// (rows i K to i K + K - 1 for samples[i], N columns, amperes). Throws spice::SpiceError naming
// the sample on any ngspice failure.
[[nodiscard]] Eigen::MatrixXd simulate_samples(spice::WorkerPool& pool,
                                               const circuit::WireResistances& wires,
                                               const std::vector<SpiceSample>& samples);

}  // namespace imcosim::campaign
