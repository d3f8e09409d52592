#include "spice_options.hpp"

#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "imcosim/error.hpp"
#include "progress_report.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

constexpr double max_timeout_s = 365.0 * 24 * 3600;
constexpr double min_worker_memory_gb = 0.1;
constexpr double max_worker_memory_gb = 1e9;

// "2.5", "1e+300": a value as the user may have typed it.
std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

spice::LinearSolver linear_solver_option(const po::variables_map& values) {
  try {
    return spice::parse_linear_solver(values["spice-solver"].as<std::string>());
  } catch (const spice::SpiceError& error) {
    throw UsageError(std::string("--spice-solver: ") + error.what());
  }
}

}  // namespace

void add_spice_options(CommandSyntax& syntax, SpiceRuns runs) {
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  syntax.options.add_options()("workers", po::value<int>()->default_value(static_cast<int>(cores)),
                               "ngspice worker processes run in parallel (default: one per core)")(
      "timeout", po::value<double>()->default_value(600.0),
      runs == SpiceRuns::characterisation
          ? "seconds the neuron characterisation (one ngspice DC sweep, when it is not cached) "
            "may take before its worker is killed"
          : "seconds one ngspice run may take before its worker is killed");
  add_worker_memory_option(syntax);
  add_spice_solver_option(syntax);
  if (runs == SpiceRuns::characterisation) {
    return;
  }
  if (runs == SpiceRuns::dc_sweeps) {
    syntax.options.add_options()(
        "samples-per-run", po::value<long>()->default_value(64),
        "input vectors evaluated in one ngspice DC sweep (one matrix reordering)");
  } else {
    syntax.options.add_options()(
        "samples-per-run", po::value<long>(),
        "input samples per ngspice job, each its own transient from the idle state, so that it "
        "changes the run time and never the results (default: the samples spread evenly over "
        "the workers, at most 16 per job)");
  }
}

void add_worker_memory_option(CommandSyntax& syntax) {
  syntax.options.add_options()(
      "worker-memory-gb", po::value<double>(),
      "address space each ngspice worker may take, in GB; a deck that needs more fails alone "
      "(default: this machine's memory shared out among the workers)");
}

void add_spice_solver_option(CommandSyntax& syntax) {
  syntax.options.add_options()("spice-solver", po::value<std::string>()->default_value("auto"),
                               "ngspice matrix solver: auto (KLU when the library has it), klu "
                               "or sparse (Sparse 1.3, as ngspice 39)");
}

std::string written_deck_solver_option(const po::variables_map& values) {
  spice::WorkerPoolOptions options;
  options.linear_solver = linear_solver_option(values);
  spice::WorkerPool pool(options);
  return spice::ngspice_info(pool).solver == spice::LinearSolver::klu ? ".options klu" : "";
}

std::function<void(Eigen::Index, Eigen::Index)> progress_lines() {
  // The clock starts now, before the first batch runs; the total comes with its report.
  return [progress = std::make_shared<ProgressReport>("ngspice", 0, 0)](Eigen::Index done,
                                                                        Eigen::Index total) {
    progress->set_total(total);
    progress->update(done);
    if (done == total) {
      progress->finish();
    }
  };
}

spice::WorkerPoolOptions worker_pool_options(const po::variables_map& values) {
  const int workers = values["workers"].as<int>();
  const double timeout_s = values["timeout"].as<double>();
  if (workers < 1) {
    throw UsageError("--workers must be at least 1, not " + std::to_string(workers));
  }
  if (!(timeout_s > 0.0) || timeout_s > max_timeout_s) {
    throw UsageError("--timeout must be a positive number of seconds up to " +
                     std::to_string(static_cast<long>(max_timeout_s)) + " (a year), not " +
                     number_text(timeout_s));
  }
  spice::WorkerPoolOptions options;
  options.worker_count = workers;
  options.job_timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000.0));
  if (values.count("worker-memory-gb") != 0) {
    const double gigabytes = values["worker-memory-gb"].as<double>();
    // At least what a worker needs to start ngspice; at most what 64 bits can count.
    if (!(gigabytes >= min_worker_memory_gb) || !(gigabytes <= max_worker_memory_gb)) {
      throw UsageError("--worker-memory-gb must be from " + number_text(min_worker_memory_gb) +
                       " to " + number_text(max_worker_memory_gb) + ", not " +
                       number_text(gigabytes));
    }
    options.worker_memory_bytes = static_cast<std::uint64_t>(gigabytes * 1e9);
  }
  options.linear_solver = linear_solver_option(values);
  return options;
}

spice::TileSimulationOptions tile_simulation_options(const po::variables_map& values) {
  const long samples_per_run = values["samples-per-run"].as<long>();
  if (samples_per_run < 1) {
    throw UsageError("--samples-per-run must be at least 1, not " +
                     std::to_string(samples_per_run));
  }
  spice::TileSimulationOptions options;
  options.samples_per_run = samples_per_run;
  options.on_progress = progress_lines();
  return options;
}

}  // namespace imcosim::cli
