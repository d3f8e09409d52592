// ngspice against the exact direct solver on identical crossbar tiles: time-to-solution ratio
// and agreement, and what batching input vectors into one DC sweep saves in ngspice.
//
//   bench_spice_vs_direct [--max-size 64] [--samples 16] [--workers 2] [--seed 1]
//
// Sizes double from 8 up to --max-size (128 takes seconds with KLU, minutes with Sparse 1.3 as
// in ngspice 39: ask for it).
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <random>
#include <string>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/agreement.hpp"
#include "imcosim/solver/direct_solver.hpp"
#include "imcosim/solver/ideal_solver.hpp"
#include "imcosim/spice/tile_simulation.hpp"
#include "support/bench_arguments.hpp"

namespace {

using namespace imcosim;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Arguments {
  long max_size = 64;
  long samples = 16;
  int workers = 2;
  std::uint64_t seed = 1;
};

Arguments parse(int argc, char** argv) {
  Arguments arguments;
  bench::BenchArguments(
      "usage: bench_spice_vs_direct [--max-size 64] [--samples 16] [--workers 2] "
      "[--seed 1]")
      .integer("--max-size", arguments.max_size, 8)
      .integer("--samples", arguments.samples)
      .integer("--workers", arguments.workers)
      .integer("--seed", arguments.seed, 0)
      .parse(argc, argv);
  return arguments;
}

// Reference IMAC devices (5-15 kohm) with 9 nm-node wire segments (docs/design.md).
circuit::CrossbarTile imac_tile(std::mt19937_64& generator, long size) {
  std::uniform_real_distribution<double> g(1.0 / 15e3, 1.0 / 5e3);
  Eigen::MatrixXd g_siemens(size, size);
  for (auto& value : g_siemens.reshaped()) value = g(generator);
  return {g_siemens,
          {.r_row_ohm = 11.55, .r_col_ohm = 9.24, .r_source_ohm = 10, .r_sense_ohm = 10}};
}

Eigen::MatrixXd random_inputs(std::mt19937_64& generator, long samples, long rows) {
  std::uniform_real_distribution<double> v(-0.8, 0.8);
  Eigen::MatrixXd inputs(samples, rows);
  for (auto& value : inputs.reshaped()) value = v(generator);
  return inputs;
}

}  // namespace

int main(int argc, char** argv) {
  const auto arguments = parse(argc, argv);
  std::mt19937_64 generator(arguments.seed);
  spice::WorkerPool pool({.worker_count = arguments.workers});
  const spice::NgspiceInfo ngspice = spice::ngspice_info(pool);
  std::cout << "ngspice " << ngspice.version << ", " << spice::linear_solver_name(ngspice.solver)
            << " (" << arguments.workers << " workers) vs direct (CHOLMOD), " << arguments.samples
            << " input vectors per tile, seed " << arguments.seed << "\n\n"
            << std::setw(8) << "tile" << std::setw(13) << "ngspice s" << std::setw(13) << "direct s"
            << std::setw(13) << "ideal s" << std::setw(16) << "ngspice/direct" << std::setw(16)
            << "direct/ideal" << std::setw(14) << "max rel err"
            << "\n";
  for (long size = 8; size <= arguments.max_size; size *= 2) {
    const auto tile = imac_tile(generator, size);
    const auto inputs = random_inputs(generator, arguments.samples, size);
    const circuit::TileNetwork network(tile);

    const auto direct_start = std::chrono::steady_clock::now();
    const solver::DirectSolver direct(network);
    const Eigen::MatrixXd direct_currents = direct.output_currents(inputs);
    const double direct_s = seconds_since(direct_start);

    const auto ideal_start = std::chrono::steady_clock::now();
    const Eigen::MatrixXd ideal_currents = solver::ideal_output_currents(tile, inputs);
    const double ideal_s = seconds_since(ideal_start);

    const auto spice_start = std::chrono::steady_clock::now();
    const Eigen::MatrixXd spice_currents = spice::simulate_tile(pool, network, inputs);
    const double spice_s = seconds_since(spice_start);

    const double error = solver::compare_currents(spice_currents, direct_currents).max_relative;
    std::cout << std::setw(8) << (std::to_string(size) + "x" + std::to_string(size))
              << std::setw(13) << std::setprecision(4) << spice_s << std::setw(13) << direct_s
              << std::setw(13) << ideal_s << std::setw(16) << spice_s / direct_s << std::setw(16)
              << direct_s / ideal_s << std::setw(14) << std::scientific << std::setprecision(2)
              << error << std::defaultfloat << "\n";
  }

  // Batching: one DC sweep over all vectors (one matrix reordering) against one operating
  // point per vector (a reordering each), on the largest tile of at most 32x32.
  const long size = std::min<long>(32, arguments.max_size);
  const auto tile = imac_tile(generator, size);
  const auto inputs = random_inputs(generator, arguments.samples, size);
  const circuit::TileNetwork network(tile);
  spice::WorkerPool single({.worker_count = 1});
  const auto time_with = [&](Eigen::Index samples_per_run) {
    const auto start = std::chrono::steady_clock::now();
    const Eigen::MatrixXd currents = spice::simulate_tile(
        single, network, inputs, {.samples_per_run = samples_per_run, .on_progress = {}});
    return seconds_since(start);
  };
  const double one_by_one_s = time_with(1);
  const double batched_s = time_with(arguments.samples);
  std::cout << "\nbatching on " << size << "x" << size << ", " << arguments.samples
            << " vectors, 1 worker: one op per vector " << one_by_one_s << " s, one DC sweep "
            << batched_s << " s, gain " << one_by_one_s / batched_s << "x\n";
  return 0;
}
