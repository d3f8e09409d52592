#pragma once

#include <Eigen/Core>
#include <functional>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::spice {

struct TileSimulationOptions {
  // Input vectors evaluated by one ngspice analysis (one DC sweep, one matrix reordering).
  // Larger batches amortise the reordering further but serialise the work on fewer workers.
  Eigen::Index samples_per_run = 64;
  // Called after each finished run with (samples done, samples in total); may be empty.
  std::function<void(Eigen::Index, Eigen::Index)> on_progress;
};

// Agreement of ngspice with an exact solution of the same circuit, relative to the largest
// output: ngspice's sparse LU in double precision, netlist values written exactly.
inline constexpr double spice_tolerance_relative = 1e-6;

// Simulates the tile for every input vector (rows of `inputs_volt`, K x M volts) in ngspice and
// returns the output currents (K x N amperes). Batches of input vectors run in parallel on the
// pool's workers. Throws SpiceError naming the first failed batch's samples and ngspice's
// messages; nothing partial is returned.
Eigen::MatrixXd simulate_tile(WorkerPool& pool, const circuit::TileNetwork& network,
                              const Eigen::MatrixXd& inputs_volt,
                              const TileSimulationOptions& options = {});

}  // namespace imcosim::spice
