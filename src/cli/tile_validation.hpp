#pragma once

#include <ostream>

#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/solver/agreement.hpp"
#include "imcosim/spice/tile_simulation.hpp"
#include "run_output.hpp"

namespace imcosim::cli {

// ngspice, the direct solver and the ideal product on the same tile and inputs.
struct TileValidation {
  solver::Agreement spice_vs_direct;
  solver::Agreement ideal_vs_direct;  // the error of ignoring every parasitic
  double spice_s = 0.0;
  double direct_factorise_s = 0.0;
  double direct_solve_s = 0.0;
  double ideal_s = 0.0;
  double tolerance_relative = spice::spice_tolerance_relative;
  [[nodiscard]] bool passed() const { return spice_vs_direct.max_relative <= tolerance_relative; }
};

TileValidation validate_tile(const circuit::CrossbarTile& tile, const Eigen::MatrixXd& inputs_volt,
                             spice::WorkerPool& pool,
                             const spice::TileSimulationOptions& simulation_options);

// The timing table and the verdict; per-sample differences for up to `samples_listed` samples
// (the worst ones first), numbered from `first_sample` (the problem file's index of the first).
void print_validation(std::ostream& out, const TileValidation& validation,
                      Eigen::Index samples_listed, Eigen::Index first_sample = 0);

// The figures of the --json summary: errors, tolerance, verdict and times.
void record_validation(JsonObject& summary, const TileValidation& validation,
                       Eigen::Index first_sample = 0);

}  // namespace imcosim::cli
