#include "campaign_support.hpp"

#include <fstream>

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

std::string dataset_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto outcome =
      run_python(std::string(IMCOSIM_SOURCE_DIR) + "/tests/campaign/compare_datasets.py " +
                 a.string() + " " + b.string());
  return outcome.exit_code == 0 ? "" : outcome.output;
}

}  // namespace imcosim::testing
