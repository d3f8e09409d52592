#include "campaign_support.hpp"

#include <fstream>
#include <iterator>
#include <random>
#include <utility>

#include "support/cli.hpp"

namespace imcosim::testing {

std::string small_campaign_ini(long samples, const std::string& extra) {
  return "[campaign]\nsamples = " + std::to_string(samples) + "\nseed = 1234\n" + extra +
         "\n[tile]\nrows = 8\ncols = 6\nr_row = 1.5\nr_col = 2.5\nr_source = 5\nr_sense = 5\n"
         "targets = per_sample\n"
         "[device]\nstates = levels\nlevels = 4\nd2d_distribution = lognormal\n"
         "d2d_spread_percent = 10\nc2c_noise_percent = 1\nstuck_lrs_fraction = 0.02\n"
         "stuck_hrs_fraction = 0.01\n"
         "[inputs]\nv_min = -0.3\nv_max = 0.3\n"
         "[backends]\nideal = true\nsolver = direct\nspice_every = 10\n";
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

KilledRuns run_killed_datasets(const std::string& arguments, const std::filesystem::path& output,
                               const std::string& per_sample_dataset, int attempts, int min_ms,
                               int max_ms, unsigned seed) {
  std::mt19937_64 moments(seed);
  std::uniform_int_distribution<int> delay_ms(min_ms, max_ms);
  KilledRuns runs;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    const auto run = run_command("timeout -s KILL " + std::to_string(delay_ms(moments) / 1000.0) +
                                 " " + IMCOSIM_CLI_PATH + " dataset " + arguments);
    runs.kills += run.exit_code == 0 ? 0 : 1;
    if (!std::filesystem::exists(output)) {
      continue;
    }
    // Whatever the moment, the file is a readable dataset of its committed samples.
    const auto readable = run_python("-c \"import h5py; f = h5py.File('" + output.string() +
                                     "', 'r'); n = int(f.attrs['completed_samples']); "
                                     "assert f['sample_seed'].shape[0] == n and f['" +
                                     per_sample_dataset + "'].shape[0] == n; print(n)\"");
    if (readable.exit_code != 0) {
      runs.problems += readable.output;
    }
  }
  return runs;
}

std::string parallelism_difference(const std::string& config,
                                   const std::filesystem::path& directory,
                                   const std::string& options) {
  for (const auto& [name, parallelism] :
       {std::pair{"one.h5", " --threads 1 --workers 1"}, {"two.h5", " --threads 2 --workers 2"}}) {
    const auto run = run_imcosim("dataset " + config + " -o " + (directory / name).string() +
                                 parallelism + options);
    if (run.exit_code != 0) {
      return std::string(name) + ": " + run.output;
    }
  }
  // More than equal contents: the same bytes (no modification times are recorded).
  return file_bytes(directory / "one.h5") == file_bytes(directory / "two.h5")
             ? ""
             : "one.h5 and two.h5 differ: " +
                   dataset_difference(directory / "one.h5", directory / "two.h5");
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

std::string dataset_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto outcome =
      run_python(std::string(IMCOSIM_SOURCE_DIR) + "/tests/campaign/compare_datasets.py " +
                 a.string() + " " + b.string());
  return outcome.exit_code == 0 ? "" : outcome.output;
}

}  // namespace imcosim::testing
