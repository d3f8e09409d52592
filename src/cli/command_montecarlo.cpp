#include <iomanip>
#include <iostream>

#include "campaign_options.hpp"
#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/monte_carlo_tally.hpp"
#include "imcosim/error.hpp"
#include "progress_report.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

void print_summary_row(std::ostream& out, const std::string& name,
                       const campaign::Summary& summary) {
  out << "  " << std::left << std::setw(10) << name << std::right << std::setw(9) << summary.count;
  for (const double value : {summary.mean, summary.standard_deviation, summary.p5, summary.p50,
                             summary.p95, summary.p99, summary.maximum}) {
    out << std::setw(12) << value;
  }
  out << '\n';
}

void print_header(std::ostream& out) {
  out << "  " << std::left << std::setw(10) << "back-end" << std::right << std::setw(9) << "count";
  for (const char* column : {"mean", "std", "p5", "p50", "p95", "p99", "max"}) {
    out << std::setw(12) << column;
  }
  out << '\n';
}

void print_report(std::ostream& out, const campaign::Campaign& campaign,
                  const campaign::MonteCarloTally& tally) {
  const auto& config = campaign.config();
  const auto statistics = tally.statistics();
  out << std::setprecision(4);
  out << "Monte Carlo: " << config.samples << " samples of a " << config.rows << "x" << config.cols
      << " tile, " << config.vectors_per_sample << " input vector(s) each; configuration "
      << campaign.configuration_hash() << "\n\n";
  out << "Relative error against the nominal circuit (per input vector: max over outputs of\n"
         "|I - I_nominal| / max |I_nominal|):\n";
  print_header(out);
  for (const auto& backend : statistics) {
    if (backend.name != "nominal") {
      print_summary_row(out, backend.name, backend.error_relative);
    }
  }
  out << "\nOutput currents (A):\n";
  print_header(out);
  for (const auto& backend : statistics) {
    print_summary_row(out, backend.name, backend.output_ampere);
  }
  const auto agreement = tally.spice_vs_solver();
  if (agreement.count > 0) {
    out << "\nngspice against the solver on the same devices (relative, per input vector):\n";
    print_header(out);
    print_summary_row(out, "ngspice", agreement);
  }
}

}  // namespace

int run_montecarlo(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "montecarlo", "CONFIG.ini [--threads T] [--workers W]",
      "Runs the Monte Carlo campaign described by CONFIG.ini (docs/campaign.md): every sample\n"
      "draws its devices (variation, faults, drift, read noise) and inputs, and is evaluated by\n"
      "the configured back-ends: ideal product, fast exact solver, and ngspice on every\n"
      "spice_every-th sample. Prints the error of each back-end against the nominal circuit\n"
      "(target conductances, no non-ideality) and the statistics of the output currents.\n"
      "Results do not depend on --threads or --workers.");
  syntax.options.add_options()("config", po::value<std::string>()->required(),
                               "campaign configuration (INI)");
  add_campaign_options(syntax);
  syntax.positional.add("config", 1);
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const int threads = thread_count(*values);

  // 1. Read and validate the configuration.
  const campaign::Campaign campaign(
      campaign::read_campaign_config((*values)["config"].as<std::string>()));
  const auto pool = campaign_worker_pool(campaign, *values);

  // 2. Evaluate every sample, block by block, and tally the errors and outputs.
  const Stopwatch run_time;
  campaign::MonteCarloTally tally(campaign);
  const std::int64_t samples = campaign.config().samples;
  ProgressReport progress("montecarlo", samples, 0);
  for (std::int64_t done = 0; done < samples;) {
    const std::int64_t count = std::min(campaign.config().block_samples, samples - done);
    tally.add(campaign.evaluate(done, count, {threads, pool.get()}));
    done += count;
    progress.update(done);
  }
  progress.finish();

  // 3. Report.
  print_report(std::cout, campaign, tally);
  std::cerr << "evaluated " << samples << " samples in " << run_time.elapsed_s() << " s\n";
  return 0;
}

}  // namespace imcosim::cli
