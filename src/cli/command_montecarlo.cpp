#include <algorithm>
#include <cmath>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>

#include "campaign_options.hpp"
#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/monte_carlo_tally.hpp"
#include "imcosim/campaign/network_tally.hpp"
#include "imcosim/campaign/shard.hpp"
#include "imcosim/error.hpp"
#include "imcosim/mpi/process_group.hpp"
#include "progress_report.hpp"
#include "ranked_run.hpp"
#include "run_output.hpp"
#include "si_units.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

// One row of statistics; `scale` brings the values to the unit of the table (an SI prefix).
void print_summary_row(std::ostream& out, const std::string& name, const campaign::Summary& summary,
                       double scale = 1.0) {
  out << "  " << std::left << std::setw(10) << name << std::right << std::setw(9) << summary.count;
  for (const double value : {summary.mean, summary.standard_deviation, summary.p5, summary.p50,
                             summary.p95, summary.p99, summary.maximum}) {
    out << std::setw(12) << value * scale;
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

void print_network_report(std::ostream& out, const campaign::Campaign& campaign,
                          const campaign::NetworkTally& tally) {
  const auto& config = campaign.config();
  const auto statistics = tally.statistics();
  out << std::setprecision(4);
  out << "Monte Carlo: " << config.samples << " samples of a " << config.rows << "-input, "
      << config.cols << "-output IMAC network (" << campaign.device_count() << " devices), "
      << config.vectors_per_sample << " input vector(s) each; configuration "
      << campaign.configuration_hash() << "\n\n";
  out << "Output-voltage error against the nominal network (per input vector: max over outputs\n"
         "of |V - V_nominal|, volts):\n";
  print_header(out);
  for (const auto& backend : statistics) {
    if (backend.name != "nominal") {
      print_summary_row(out, backend.name, backend.error_volt);
    }
  }
  out << "\nClass flips against the nominal network:\n";
  for (const auto& backend : statistics) {
    if (backend.name != "nominal") {
      out << "  " << std::left << std::setw(10) << backend.name << std::right << backend.class_flips
          << " of " << backend.vectors << " input vectors ("
          << 100.0 * static_cast<double>(backend.class_flips) /
                 static_cast<double>(std::max<std::int64_t>(backend.vectors, 1))
          << " %)\n";
    }
  }
  if (campaign.labelled()) {
    out << "\nAccuracy against the input file's labels (nominal: without variation):\n";
    for (const auto& backend : statistics) {
      out << "  " << std::left << std::setw(10) << backend.name << std::right
          << 100.0 * static_cast<double>(backend.correct) /
                 static_cast<double>(std::max<std::int64_t>(backend.labelled, 1))
          << " % (" << backend.correct << " of " << backend.labelled << " input vectors)\n";
    }
  }
  out << "\nOutput voltages (V):\n";
  print_header(out);
  for (const auto& backend : statistics) {
    print_summary_row(out, backend.name, backend.output_volt);
  }
  double largest_power_watt = 0.0;
  for (const auto& backend : statistics) {
    largest_power_watt = std::max(largest_power_watt, std::abs(backend.power_watt.maximum));
  }
  const auto power_unit = si_prefix_for(largest_power_watt);
  out << "\nPower per inference (" << power_unit.prefix
      << "W; fast: static, ngspice: averaged over the window):\n";
  print_header(out);
  for (const auto& backend : statistics) {
    print_summary_row(out, backend.name, backend.power_watt, power_unit.factor);
  }
  const auto agreement = tally.spice_vs_fast_volt();
  if (agreement.count > 0) {
    out << "\nngspice against the fast evaluator on the same devices (per input vector: max over\n"
           "outputs of |V_ngspice - V_fast|, volts):\n";
    print_header(out);
    print_summary_row(out, "ngspice", agreement);
    out << "  max " << agreement.maximum * 1e3 << " mV: "
        << (agreement.maximum <= campaign::NetworkTally::spice_tolerance_volt ? "PASS" : "FAIL")
        << " (tolerance " << campaign::NetworkTally::spice_tolerance_volt * 1e3 << " mV)\n";
  }
}

// A Summary as JSON: count and the statistics in the unit of the quantity.
void record_statistics(JsonObject& object, const campaign::Summary& summary) {
  object.set("count", summary.count)
      .set("mean", summary.mean)
      .set("std", summary.standard_deviation)
      .set("p5", summary.p5)
      .set("p50", summary.p50)
      .set("p95", summary.p95)
      .set("p99", summary.p99)
      .set("max", summary.maximum);
}

void record_report(JsonObject& summary, const campaign::MonteCarloTally& tally) {
  for (const auto& backend : tally.statistics()) {
    auto& object = summary.object("backends").object(backend.name);
    if (backend.name != "nominal") {
      record_statistics(object.object("error_relative"), backend.error_relative);
    }
    record_statistics(object.object("output_ampere"), backend.output_ampere);
  }
  const auto agreement = tally.spice_vs_solver();
  if (agreement.count > 0) {
    record_statistics(summary.object("spice_vs_solver_relative"), agreement);
  }
}

void record_report(JsonObject& summary, const campaign::NetworkTally& tally) {
  for (const auto& backend : tally.statistics()) {
    auto& object = summary.object("backends").object(backend.name);
    if (backend.name != "nominal") {
      record_statistics(object.object("error_volt"), backend.error_volt);
      object.set("class_flips", backend.class_flips).set("vectors", backend.vectors);
    }
    if (backend.labelled > 0) {
      object.set("correct", backend.correct).set("labelled", backend.labelled);
    }
    record_statistics(object.object("output_volt"), backend.output_volt);
    record_statistics(object.object("power_watt"), backend.power_watt);
  }
  const auto agreement = tally.spice_vs_fast_volt();
  if (agreement.count > 0) {
    record_statistics(summary.object("spice_vs_fast_volt"), agreement);
    summary.set("spice_passed", agreement.maximum <= campaign::NetworkTally::spice_tolerance_volt);
  }
}

// Evaluates the samples of `range`, block by block, into `Tally`, reporting the samples done.
template <typename Tally>
Tally tally_samples(const campaign::Campaign& campaign, int threads, spice::WorkerPool* pool,
                    const campaign::SampleRange& range,
                    const std::function<void(std::int64_t)>& report) {
  Tally tally(campaign);
  for (std::int64_t done = 0; done < range.count;) {
    const std::int64_t count = std::min(campaign.config().block_samples, range.count - done);
    tally.add(campaign.evaluate(range.first + done, count, {threads, pool}));
    done += count;
    report(done);
  }
  return tally;
}

// What one rank ends with: on the root, the tally of every sample; elsewhere none, and the
// rank's exit status.
template <typename Tally>
struct RankTally {
  std::optional<Tally> tally;
  int status = 0;
};

// Every sample of the campaign into one `Tally` on the root: each rank of `group` tallies its
// shard, and the root joins the shards' tallies in sample order.
template <typename Tally>
RankTally<Tally> tally_over_ranks(mpi::ProcessGroup& group, const campaign::Campaign& campaign,
                                  int threads, spice::WorkerPool* pool) {
  const auto range = campaign::shard_range({group.rank(), group.size()}, campaign.config().samples);
  RankedRun ranked(group, "montecarlo", campaign.config().samples);
  std::vector<double> numbers;
  const int status = ranked.run_part([&] {
    tally_samples<Tally>(campaign, threads, pool, range, [&](std::int64_t done) {
      ranked.report(done);
    }).append_numbers(numbers);
  });
  if (const int finished = ranked.finish(status, "nothing is reported"); finished != 0) {
    return {std::nullopt, finished};
  }
  const auto joined = group.gather_to_root(numbers);
  if (!group.is_root()) {
    return {std::nullopt, 0};
  }
  Tally tally(campaign);
  std::size_t at = 0;
  for (int rank = 0; rank < group.size(); ++rank) {
    tally.absorb_numbers(joined, at);
  }
  return {std::move(tally), 0};
}

}  // namespace

int run_montecarlo(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "montecarlo", "CONFIG.ini [--threads T] [--workers W]",
      "Runs the Monte Carlo campaign described by CONFIG.ini (docs/campaign.md): every sample\n"
      "draws its devices (variation, faults, drift, read noise) and inputs, and is evaluated by\n"
      "the configured back-ends: for a tile the ideal product and the fast exact solver, for an\n"
      "IMAC network the fast evaluator, and ngspice on every spice_every-th sample. Prints the\n"
      "error of each back-end against the nominal circuit (target conductances, no\n"
      "non-ideality), class flips for networks, and the statistics of the outputs.\n"
      "Results do not depend on --threads or --workers.");
  syntax.options.add_options()("config", po::value<std::string>()->required(),
                               "campaign configuration (INI)");
  add_campaign_options(syntax);
  syntax.positional.add("config", 1);
  // Under mpirun or srun every rank tallies its share of the samples; the root reports them all.
  const auto group = mpi::join_process_group();
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  if (!group->is_root()) {
    configure_run_output(syntax.name, false, true);
  }
  const int threads = apply_thread_option(*values);

  // 1. Read and validate the configuration (a network's neuron is characterised here).
  const auto run = prepare_campaign(*values);
  const campaign::Campaign& campaign = *run.campaign;

  // 2. Evaluate every sample, block by block, tally the errors and outputs, and report.
  const Stopwatch run_time;
  auto& summary = json_summary();
  summary.set("samples", campaign.config().samples)
      .set("configuration_hash", campaign.configuration_hash());
  if (campaign.is_network()) {
    const auto ranked =
        tally_over_ranks<campaign::NetworkTally>(*group, campaign, threads, run.pool.get());
    if (!ranked.tally) {
      return ranked.status;
    }
    print_network_report(summary_out(), campaign, *ranked.tally);
    record_report(summary, *ranked.tally);
  } else {
    const auto ranked =
        tally_over_ranks<campaign::MonteCarloTally>(*group, campaign, threads, run.pool.get());
    if (!ranked.tally) {
      return ranked.status;
    }
    print_report(summary_out(), campaign, *ranked.tally);
    record_report(summary, *ranked.tally);
  }
  summary.set("ranks", group->size());
  summary_out() << "evaluated " << campaign.config().samples << " samples in "
                << run_time.elapsed_s() << " s\n";
  summary.set("elapsed_s", run_time.elapsed_s());
  return 0;
}

}  // namespace imcosim::cli
