// Campaign datasets against their baselines, as ratios measured in the same run:
//  * fast solver, 64x64 tiles with device variation: samples per second of `imcosim dataset`
//    (evaluation + HDF5 commits) against the evaluation alone and the bare solver alone; the
//    HDF5 writing overhead target is < 20%, with and without stored conductances;
//  * ngspice: samples per second with 1 and 2 worker processes, and the resident memory of a
//    worker after 10 samples and after 1,000 (a leak in ngspice shows as growth).
//
//   bench_dataset [--samples 256] [--spice-samples 1000] [--spice-size 16] [--threads 2]
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>

#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/dataset_file.hpp"
#include "imcosim/device/random_stream.hpp"
#include "imcosim/device/tile_devices.hpp"
#include "imcosim/solver/tile_solver.hpp"
#include "support/bench_arguments.hpp"

namespace {

using namespace imcosim;

struct Arguments {
  std::int64_t samples = 256;
  std::int64_t spice_samples = 1000;
  Eigen::Index spice_size = 16;
  int threads = 2;
};

Arguments parse(int argc, char** argv) {
  Arguments arguments;
  bench::BenchArguments(
      "usage: bench_dataset [--samples 256] [--spice-samples 1000] [--spice-size 16] "
      "[--threads 2]")
      .integer("--samples", arguments.samples)
      .integer("--spice-samples", arguments.spice_samples)
      .integer("--spice-size", arguments.spice_size)
      .integer("--threads", arguments.threads)
      .parse(argc, argv);
  return arguments;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A 64x64 tile with wires, 4-level devices, lognormal variation and faults; one input vector
// per sample; the direct solver only.
campaign::CampaignConfig solver_config(std::int64_t samples, Eigen::Index size) {
  campaign::CampaignConfig config;
  config.samples = samples;
  config.seed = 1;
  config.block_samples = 64;
  config.rows = size;
  config.cols = size;
  config.wires = {2.5, 2.5, 10.0, 10.0};
  config.targets = campaign::TargetMode::per_sample;
  config.device.states = device::StateSet::levels;
  config.device.level_count = 4;
  config.device.d2d_variation = device::Variation::lognormal;
  config.device.d2d_spread_percent = 10.0;
  config.device.stuck_lrs_fraction = 0.01;
  config.ideal = false;
  config.solver = solver::SolverMethod::direct;
  return config;
}

// The bare solver: the same tiles, each factorised and solved, without the campaign around it.
double bare_solver_s(const campaign::Campaign& campaign, std::int64_t samples) {
  const auto& config = campaign.config();
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t s = 0; s < samples; ++s) {
    device::RandomStream stream(static_cast<std::uint64_t>(s));
    const auto targets =
        device::draw_target_states(campaign.device_model(), config.rows, config.cols, stream);
    const circuit::CrossbarTile tile(targets, config.wires);
    const Eigen::MatrixXd inputs = Eigen::MatrixXd::Constant(1, config.rows, 0.1);
    (void)solver::make_tile_solver(solver::SolverMethod::direct, tile, 1)->solve(inputs);
  }
  return seconds_since(start);
}

double evaluation_s(const campaign::Campaign& campaign, int threads) {
  const auto start = std::chrono::steady_clock::now();
  const auto& config = campaign.config();
  for (std::int64_t first = 0; first < config.samples; first += config.block_samples) {
    (void)campaign.evaluate(first, std::min(config.block_samples, config.samples - first),
                            {threads, nullptr});
  }
  return seconds_since(start);
}

struct DatasetTiming {
  double total_s = 0.0;
  double commit_s = 0.0;  // appending, flushing and renaming the blocks
};

DatasetTiming dataset_s(const campaign::Campaign& campaign, int threads,
                        const std::filesystem::path& path) {
  std::filesystem::remove(path);
  const auto start = std::chrono::steady_clock::now();
  const auto& config = campaign.config();
  campaign::DatasetWriter writer(path, campaign::dataset_header(campaign, {}, "", ""));
  double commit_s = 0.0;
  while (!writer.complete()) {
    const std::int64_t done = writer.completed_samples();
    const std::int64_t count = writer.next_block_samples(config.block_samples);
    const auto block = campaign.evaluate(done, count, {threads, nullptr});
    const auto commit_start = std::chrono::steady_clock::now();
    writer.append(block);
    commit_s += seconds_since(commit_start);
  }
  const double elapsed = seconds_since(start);
  std::cout << "    file " << std::filesystem::file_size(path) / 1024 << " KiB\n";
  std::filesystem::remove(path);
  return {elapsed, commit_s};
}

void fast_solver_part(const Arguments& arguments, const std::filesystem::path& directory) {
  std::cout << "1. Fast solver (direct), 64x64 tiles, " << arguments.samples << " samples, "
            << arguments.threads << " threads\n";
  for (const bool store_conductances : {true, false}) {
    auto config = solver_config(arguments.samples, 64);
    config.store_conductances = store_conductances;
    const campaign::Campaign campaign(config);
    const double evaluate = evaluation_s(campaign, arguments.threads);
    const auto write = dataset_s(campaign, arguments.threads, directory / "bench_dataset.h5");
    const double samples = static_cast<double>(arguments.samples);
    // Two overhead figures: the difference of two runs (exposed to the noise of a shared
    // machine) and the commits' share of the dataset run itself (immune to it).
    std::cout << "  conductances stored: " << (store_conductances ? "yes" : "no") << "\n"
              << "    evaluation alone : " << samples / evaluate << " samples/s\n"
              << "    dataset          : " << samples / write.total_s << " samples/s\n"
              << "    overhead, run vs run     : " << 100.0 * (write.total_s - evaluate) / evaluate
              << " % (target < 20 %)\n"
              << "    overhead, commits in run : "
              << 100.0 * write.commit_s / (write.total_s - write.commit_s)
              << " % of its evaluation (target < 20 %)\n";
  }
  const campaign::Campaign campaign(solver_config(arguments.samples, 64));
  const double bare = bare_solver_s(campaign, arguments.samples);
  std::cout << "  bare solver, 1 thread (draw + factorise + solve): "
            << static_cast<double>(arguments.samples) / bare << " samples/s\n";
  std::cout << "  evaluation, 1 thread: "
            << static_cast<double>(arguments.samples) / evaluation_s(campaign, 1) << " samples/s\n";
}

void spice_part(const Arguments& arguments) {
  std::cout << "\n2. ngspice, " << arguments.spice_size << "x" << arguments.spice_size
            << " tiles\n";
  auto config =
      solver_config(std::max<std::int64_t>(100, arguments.spice_samples), arguments.spice_size);
  config.solver.reset();
  config.spice_every = 1;
  const campaign::Campaign campaign(config);
  for (const int workers : {1, 2}) {
    spice::WorkerPool pool({.worker_count = workers});
    (void)campaign.evaluate(0, workers, {1, &pool});  // start the workers
    const auto start = std::chrono::steady_clock::now();
    (void)campaign.evaluate(0, 100, {1, &pool});
    std::cout << "  " << workers << " worker(s): " << 100.0 / seconds_since(start)
              << " samples/s\n";
  }
  // One worker that is never recycled, so that its memory shows what ngspice keeps.
  spice::WorkerPool pool(
      {.worker_count = 1, .jobs_per_worker = static_cast<int>(arguments.spice_samples) + 10});
  (void)campaign.evaluate(0, 10, {1, &pool});
  const auto after_10 = pool.worker_resident_bytes().front();
  for (std::int64_t first = 10; first < arguments.spice_samples; first += 100) {
    (void)campaign.evaluate(first, std::min<std::int64_t>(100, arguments.spice_samples - first),
                            {1, &pool});
  }
  const auto after_all = pool.worker_resident_bytes().front();
  std::cout << "  worker resident memory: " << static_cast<double>(after_10) / 1048576.0
            << " MiB after 10 samples, " << static_cast<double>(after_all) / 1048576.0
            << " MiB after " << arguments.spice_samples << " (ratio "
            << static_cast<double>(after_all) / static_cast<double>(after_10) << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  const auto arguments = parse(argc, argv);
  std::cout << std::setprecision(4);
  fast_solver_part(arguments, std::filesystem::temp_directory_path());
  spice_part(arguments);
  return 0;
}
