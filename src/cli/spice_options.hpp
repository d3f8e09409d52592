#pragma once

#include "command_line.hpp"
#include "imcosim/spice/tile_simulation.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::cli {

// The options every command that runs ngspice shares: --workers, --timeout, --samples-per-run.
void add_spice_options(CommandSyntax& syntax);
[[nodiscard]] spice::WorkerPoolOptions worker_pool_options(const po::variables_map& values);
// Progress lines on stderr ("ngspice: 64/256 samples, 12.3 s") for long runs.
[[nodiscard]] spice::TileSimulationOptions tile_simulation_options(const po::variables_map& values);

}  // namespace imcosim::cli
