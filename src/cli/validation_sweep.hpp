#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "imcosim/spice/tile_simulation.hpp"
#include "imcosim/spice/worker_pool.hpp"
#include "run_output.hpp"

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

// Every case of the sweep, in the order they run, with their parameters and no results.
[[nodiscard]] std::vector<SweepCase> sweep_cases(const SweepSettings& settings);

// The settings and columns as one text: a report is resumed only by the same sweep.
[[nodiscard]] std::string sweep_identity(const SweepSettings& settings,
                                         const std::vector<SweepColumn>& columns);

// The columns every sweep reports, with the solvers' stated tolerances.
[[nodiscard]] std::vector<SweepColumn> sweep_columns();

// Runs the cases of the sweep that `report` does not hold yet (all of them for a report with no
// cases; `report.columns` must be sweep_columns()), appending each to `report` and then calling
// `on_case` with it. A method that throws is recorded as failed (infinite error) and the sweep
// goes on. ngspice runs on `pool`.
void run_sweep(const SweepSettings& settings, spice::WorkerPool& pool,
               const spice::TileSimulationOptions& simulation_options, SweepReport& report,
               const std::function<void(const SweepReport&)>& on_case);

// The table: the header, one line per case (printed as each finishes), the verdict.
void print_sweep_header(std::ostream& out, const std::vector<SweepColumn>& columns);
void print_sweep_case(std::ostream& out, const SweepCase& c,
                      const std::vector<SweepColumn>& columns);
void print_sweep_verdict(std::ostream& out, const SweepReport& report);

// The --json figures: cases, cases outside their tolerance, the largest error of each column.
void record_sweep(JsonObject& summary, const SweepReport& report);

// The HDF5 report (written atomically, rewritten after every case so that a run that stops
// loses at most the case in progress): per-case parameters as vectors, /error_relative and
// /time_s [cases][columns], /tolerance_relative [columns], the messages of failed methods in
// /failures (attribute case_K), attributes naming the columns, the settings (`sweep`, the
// identity), `cases_total`, `complete` and the verdict (`passed`, over the cases done).
void write_sweep_report(const std::filesystem::path& path, const SweepSettings& settings,
                        const SweepReport& report);

// The cases an earlier run of the same sweep wrote to `path`, to resume after them. Throws
// imcosim::Error (bad input, naming the file) when `path` is not such a report: another sweep's,
// or no sweep report at all, is never replaced.
[[nodiscard]] SweepReport read_sweep_report(const std::filesystem::path& path,
                                            const SweepSettings& settings);

}  // namespace imcosim::cli
