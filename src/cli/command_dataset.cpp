#include <iostream>

#include "campaign_options.hpp"
#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/dataset_file.hpp"
#include "imcosim/campaign/shard.hpp"
#include "imcosim/error.hpp"
#include "progress_report.hpp"
#include "run_output.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

int run_dataset(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "dataset", "CONFIG.ini -o DATA.h5 [--shard k/n] [--threads T] [--workers W]",
      "Runs the campaign described by CONFIG.ini (docs/campaign.md), over a crossbar tile or an\n"
      "IMAC network, and writes every sample to DATA.h5 (docs/dataset.md): seeds, inputs,\n"
      "conductances and the outputs of each back-end (for networks also classes and power),\n"
      "with the configuration, its hash and the tool versions as attributes. Samples are\n"
      "committed in blocks: the file is readable whenever the run stops, and running the same\n"
      "command again resumes it. The file is identical whatever --threads and --workers are.\n"
      "--shard k/n writes part k of n; `imcosim merge` joins the parts into the whole dataset.");
  syntax.options.add_options()("config", po::value<std::string>()->required(),
                               "campaign configuration (INI)")(
      "output,o", po::value<std::string>()->required(), "dataset file to write or resume (HDF5)")(
      "shard", po::value<std::string>()->default_value("0/1"),
      "write part k of n of the campaign (0 <= k < n)");
  add_campaign_options(syntax);
  syntax.positional.add("config", 1);
  syntax.input_files = {"config"};
  syntax.output_files = {"output"};
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const int threads = apply_thread_option(*values);
  const auto shard = campaign::parse_shard((*values)["shard"].as<std::string>());

  // 1. Read and validate the configuration; nothing is written before it passes.
  const auto run = prepare_campaign(*values);
  const campaign::Campaign& campaign = *run.campaign;
  spice::WorkerPool* const pool = run.pool.get();

  // 2. Create the dataset, or reopen it where an earlier run stopped.
  const std::string output_path = (*values)["output"].as<std::string>();
  const auto ngspice = pool != nullptr ? spice::ngspice_info(*pool) : spice::NgspiceInfo{};
  campaign::DatasetWriter writer(
      output_path,
      campaign::dataset_header(
          campaign, shard, ngspice.version,
          pool != nullptr ? std::string(spice::linear_solver_name(ngspice.solver)) : ""));
  const auto range = writer.header().range;
  if (writer.complete()) {
    notes_out() << output_path << " is already complete (" << range.count << " samples)\n";
  } else if (writer.completed_samples() > 0) {
    notes_out() << "resuming " << output_path << " after " << writer.completed_samples() << " of "
                << range.count << " samples\n";
  }

  // 3. Evaluate and commit block by block.
  const Stopwatch run_time;
  const std::int64_t resumed_at = writer.completed_samples();
  ProgressReport progress("dataset", range.count, resumed_at, RateFrom::first_update);
  while (!writer.complete()) {
    const std::int64_t done = writer.completed_samples();
    const std::int64_t count = writer.next_block_samples(campaign.config().block_samples);
    writer.append(campaign.evaluate(range.first + done, count, {threads, pool}));
    progress.update(writer.completed_samples());
  }
  progress.finish();
  summary_out() << "wrote " << output_path << ": samples " << range.first << " to "
                << range.first + range.count - 1 << " (shard " << campaign::shard_text(shard)
                << "), " << writer.completed_samples() - resumed_at << " evaluated in "
                << run_time.elapsed_s() << " s; configuration " << campaign.configuration_hash()
                << "\n";
  json_summary()
      .set("output", output_path)
      .set("first_sample", range.first)
      .set("samples", range.count)
      .set("shard", campaign::shard_text(shard))
      .set("evaluated", writer.completed_samples() - resumed_at)
      .set("elapsed_s", run_time.elapsed_s())
      .set("configuration_hash", campaign.configuration_hash());
  return 0;
}

}  // namespace imcosim::cli
