#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "imcosim/spice/tile_simulation.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::cli {

// What `imcosim validate --sweep` runs: every combination of size, wire resistance, periphery
// resistance, conductance range and seed, each a random tile with random input vectors.
struct SweepSettings {
  struct Size {
    Eigen::Index rows;
    Eigen::Index cols;
  };
  struct ConductanceRange {
    double g_min_siemens;
    double g_max_siemens;
  };
  std::vector<Size> sizes;
  std::vector<double> wire_ohms;       // r_row = r_col
  std::vector<double> periphery_ohms;  // r_source = r_sense
  std::vector<ConductanceRange> conductance_ranges;
  std::uint64_t first_seed = 1;  // case c uses seed first_seed + c
  Eigen::Index seed_count = 1;
  Eigen::Index samples = 4;          // input vectors per case, uniform in [-0.5, 0.5] V
  Eigen::Index spice_max_size = 64;  // ngspice runs where max(M, N) <= this
};

// The columns of the report, in order, and their stated tolerances against `direct`.
struct SweepColumn {
  std::string name;           // "ngspice", "direct", "transfer", "iterative", "ideal"
  double tolerance_relative;  // infinity: recorded, not judged
};

struct SweepCase {
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  double r_wire_ohm = 0.0;
  double r_periphery_ohm = 0.0;
  double g_min_siemens = 0.0;
  double g_max_siemens = 0.0;
  std::uint64_t seed = 0;
  // Per column: max relative difference from `direct` (NaN: not run; infinity: failed), and
  // wall-clock seconds (for `direct` and `transfer` including the factorisation/extraction).
  std::vector<double> error_relative;
  std::vector<double> time_s;
  std::vector<std::string> failures;  // messages of methods that threw
};

struct SweepReport {
  std::vector<SweepColumn> columns;
  std::vector<SweepCase> cases;
  [[nodiscard]] bool passed() const;
};

// Runs every case; a method that throws is recorded as failed (infinite error), the sweep goes
// on. ngspice runs on `pool`.
[[nodiscard]] SweepReport run_sweep(const SweepSettings& settings, spice::WorkerPool& pool,
                                    const spice::TileSimulationOptions& simulation_options);

// One line per case and the verdict.
void print_sweep(std::ostream& out, const SweepReport& report);

// The HDF5 report (written atomically): per-case parameters as vectors, /error_relative and
// /time_s [cases][columns], /tolerance_relative [columns], attributes naming the columns,
// the settings and the verdict.
void write_sweep_report(const std::filesystem::path& path, const SweepSettings& settings,
                        const SweepReport& report);

}  // namespace imcosim::cli
