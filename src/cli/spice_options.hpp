#pragma once

#include "command_line.hpp"
#include "imcosim/spice/tile_simulation.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::cli {

// What one ngspice run of a command holds.
enum class SpiceRuns {
  dc_sweeps,         // crossbar tiles: input vectors batched into one DC sweep (default 64 per run)
  transients,        // IMAC networks: input samples as windows of one transient (default: spread)
  characterisation,  // only the neuron's DC characteristic (imac fast): no samples per run
};

// The options every command that runs ngspice shares: --workers, --timeout, --spice-solver and,
// where samples share runs, --samples-per-run.
void add_spice_options(CommandSyntax& syntax, SpiceRuns runs = SpiceRuns::dc_sweeps);
// --worker-memory-gb alone, for commands that declare --workers themselves.
void add_worker_memory_option(CommandSyntax& syntax);
// --spice-solver alone, for commands that word --workers and --timeout their own way or that
// only write decks.
void add_spice_solver_option(CommandSyntax& syntax);
// The line that makes a deck written for `ngspice -b` use the solver that --spice-solver
// resolves to on the installed library: ".options klu", or empty for Sparse (ngspice's default).
// The ngspice program and library come from one source package, so a worker's banner stands for
// the program's.
[[nodiscard]] std::string written_deck_solver_option(const po::variables_map& values);
[[nodiscard]] spice::WorkerPoolOptions worker_pool_options(const po::variables_map& values);
// Progress lines on stderr ("ngspice: 64/256 samples, 12.3 s") for long runs.
[[nodiscard]] std::function<void(Eigen::Index, Eigen::Index)> progress_lines();
[[nodiscard]] spice::TileSimulationOptions tile_simulation_options(const po::variables_map& values);

}  // namespace imcosim::cli
