#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <numeric>
#include <optional>
#include <regex>
#include <string>

#include "campaign_options.hpp"
#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/dataset_file.hpp"
#include "imcosim/campaign/shard.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/output_lock.hpp"
#include "imcosim/mpi/process_group.hpp"
#include "progress_report.hpp"
#include "ranked_run.hpp"
#include "run_output.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

// What one process's part of the campaign came to.
struct PartRun {
  campaign::SampleRange range;
  std::int64_t resumed_at = 0;  // samples an earlier run had written
  std::int64_t evaluated = 0;   // samples this run evaluated
};

// 2.-3. Creates the dataset (or part) `path` of `shard`, or reopens it where an earlier run
// stopped, then evaluates and commits block by block; `on_block` gets the samples done.
PartRun write_part(const campaign::Campaign& campaign, spice::WorkerPool* pool, int threads,
                   const std::filesystem::path& path, const campaign::Shard& shard,
                   const std::function<void(std::int64_t resumed_at)>& on_start,
                   const std::function<void(std::int64_t done)>& on_block) {
  const auto ngspice = pool != nullptr ? spice::ngspice_info(*pool) : spice::NgspiceInfo{};
  campaign::DatasetWriter writer(
      path, campaign::dataset_header(
                campaign, shard, ngspice.version,
                pool != nullptr ? std::string(spice::linear_solver_name(ngspice.solver)) : ""));
  PartRun part{writer.header().range, writer.completed_samples(), 0};
  on_start(part.resumed_at);
  while (!writer.complete()) {
    const std::int64_t done = writer.completed_samples();
    const std::int64_t count = writer.next_block_samples(campaign.config().block_samples);
    writer.append(campaign.evaluate(part.range.first + done, count, {threads, pool}));
    on_block(writer.completed_samples());
  }
  part.evaluated = writer.completed_samples() - part.resumed_at;
  return part;
}

// The part of rank k of n beside the output: DATA.h5 -> DATA.part-k-of-n.h5.
std::filesystem::path part_path(const std::filesystem::path& output, int rank, int ranks) {
  auto path = output;
  path.replace_filename(output.stem().string() + ".part-" + std::to_string(rank) + "-of-" +
                        std::to_string(ranks) + output.extension().string());
  return path;
}

// Parts of `output` left by a run over another number of ranks: resuming needs the same number.
void refuse_parts_of_other_runs(const std::filesystem::path& output, int ranks) {
  const std::regex part_name(
      std::regex_replace(output.stem().string(), std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
      R"(\.part-\d+-of-(\d+))" +
      std::regex_replace(output.extension().string(), std::regex(R"(\.)"), R"(\.)"));
  const auto directory = output.has_parent_path() ? output.parent_path() : ".";
  std::error_code status;
  for (const auto& entry : std::filesystem::directory_iterator(directory, status)) {
    std::smatch match;
    const std::string name = entry.path().filename().string();
    if (std::regex_match(name, match, part_name) && std::stoll(match[1]) != ranks) {
      throw UsageError(entry.path().string() + " is a part of a run over " + match[1].str() +
                       " MPI ranks; resume it with the same number of ranks, or remove its parts");
    }
  }
}

// A dataset over the ranks of an MPI launcher: rank k writes (or resumes) part k of n beside
// the output, the root follows every rank's samples on one progress line, and once every part
// is complete merges them into the output, the file one process writes, and removes them. A
// rank that fails keeps its part and the others'; the same command resumes them.
int run_over_ranks(mpi::ProcessGroup& group, const campaign::Campaign& campaign,
                   spice::WorkerPool* pool, int threads, const std::filesystem::path& output) {
  const std::int64_t samples = campaign.config().samples;
  // A complete output (merged by an earlier run) is done; anything else there is not ours.
  if (std::filesystem::exists(output)) {
    const auto header = campaign::read_dataset_header(output);
    if (header.configuration_hash != campaign.configuration_hash() || header.shard.count != 1 ||
        campaign::read_completed_samples(output) != samples) {
      throw UsageError(output.string() +
                       " exists and is not this campaign's complete dataset; resume a "
                       "one-process run without the MPI launcher, or remove it");
    }
    notes_out() << output.string() << " is already complete (" << samples << " samples)\n";
    return 0;
  }
  RankedRun ranked(group, "dataset", samples);
  const auto report = [&](std::int64_t done) { ranked.report(done); };
  const Stopwatch run_time;
  const int status = ranked.run_part([&] {
    const auto path = part_path(output, group.rank(), group.size());
    const io::OutputLock claim(path);
    static_cast<void>(write_part(campaign, pool, threads, path,
                                 campaign::Shard{group.rank(), group.size()}, report, report));
  });
  const int finished =
      ranked.finish(status, "every part is kept: run the same command again to resume");
  if (!group.is_root()) {
    return finished;
  }

  // Every part is complete: the root merges them into the output and removes them.
  std::vector<std::filesystem::path> parts;
  for (int k = 0; k < group.size(); ++k) {
    parts.push_back(part_path(output, k, group.size()));
  }
  ProgressReport merging("merge", samples, 0);
  campaign::merge_datasets(
      parts, output, [&](std::int64_t done, std::int64_t /*total*/) { merging.update(done); });
  merging.finish();
  for (const auto& path : parts) {
    std::filesystem::remove(path);
  }
  summary_out() << "wrote " << output.string() << ": " << samples << " samples over "
                << group.size() << " MPI ranks in " << run_time.elapsed_s() << " s; configuration "
                << campaign.configuration_hash() << "\n";
  json_summary()
      .set("output", output.string())
      .set("samples", samples)
      .set("ranks", group.size())
      .set("elapsed_s", run_time.elapsed_s())
      .set("configuration_hash", campaign.configuration_hash());
  return 0;
}

}  // namespace

int run_dataset(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "dataset", "CONFIG.ini -o DATA.h5 [--shard k/n] [--threads T] [--workers W]",
      "Runs the campaign described by CONFIG.ini (docs/campaign.md), over a crossbar tile or an\n"
      "IMAC network, and writes every sample to DATA.h5 (docs/dataset.md): seeds, inputs,\n"
      "conductances and the outputs of each back-end (for networks also classes and power),\n"
      "with the configuration, its hash and the tool versions as attributes. Samples are\n"
      "committed in blocks: the file is readable whenever the run stops, and running the same\n"
      "command again resumes it. The file is identical whatever --threads and --workers are.\n"
      "--shard k/n writes part k of n; `imcosim merge` joins the parts into the whole dataset.\n"
      "Under mpirun or srun (-n N) the N ranks write the N parts DATA.part-k-of-N.h5, each\n"
      "resumable, and rank 0 merges them into DATA.h5: the same file as one process writes.");
  syntax.options.add_options()("config", po::value<std::string>()->required(),
                               "campaign configuration (INI)")(
      "output,o", po::value<std::string>()->required(), "dataset file to write or resume (HDF5)")(
      "shard", po::value<std::string>()->default_value("0/1"),
      "write part k of n of the campaign (0 <= k < n)");
  add_campaign_options(syntax);
  syntax.positional.add("config", 1);
  syntax.input_files = {"config"};
  syntax.output_files = {"output"};
  // Every rank of an MPI launcher joins here, before anything is read; the root claims the
  // output, each rank its own part.
  const auto group = mpi::join_process_group();
  syntax.lock_outputs = group->is_root();
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  if (!group->is_root()) {
    configure_run_output(syntax.name, false, true);  // the root reports for the whole job
  }
  const int threads = apply_thread_option(*values);
  const auto shard = campaign::parse_shard((*values)["shard"].as<std::string>());
  const std::filesystem::path output_path = (*values)["output"].as<std::string>();
  if (group->size() > 1) {
    reject_given_options(*values, {"shard"},
                         "is given by the MPI launcher: rank k of n writes part k of n");
    refuse_parts_of_other_runs(output_path, group->size());
  }

  // 1. Read and validate the configuration; nothing is written before it passes.
  const auto run = prepare_campaign(*values);
  const campaign::Campaign& campaign = *run.campaign;
  const Stopwatch run_time;

  const std::int64_t samples = campaign::shard_range(shard, campaign.config().samples).count;
  if (group->size() == 1) {
    std::optional<ProgressReport> progress;
    const auto part = write_part(
        campaign, run.pool.get(), threads, output_path, shard,
        [&](std::int64_t resumed_at) {
          progress.emplace("dataset", samples, resumed_at, RateFrom::first_update);
          if (resumed_at == samples) {
            notes_out() << output_path.string() << " is already complete (" << samples
                        << " samples)\n";
          } else if (resumed_at > 0) {
            notes_out() << "resuming " << output_path.string() << " after " << resumed_at << " of "
                        << samples << " samples\n";
          }
        },
        [&](std::int64_t done) { progress->update(done); });
    progress->finish();
    summary_out() << "wrote " << output_path.string() << ": samples " << part.range.first << " to "
                  << part.range.first + part.range.count - 1 << " (shard "
                  << campaign::shard_text(shard) << "), " << part.evaluated << " evaluated in "
                  << run_time.elapsed_s() << " s; configuration " << campaign.configuration_hash()
                  << "\n";
    json_summary()
        .set("output", output_path.string())
        .set("first_sample", part.range.first)
        .set("samples", part.range.count)
        .set("shard", campaign::shard_text(shard))
        .set("evaluated", part.evaluated)
        .set("elapsed_s", run_time.elapsed_s())
        .set("configuration_hash", campaign.configuration_hash());
    return 0;
  }
  return run_over_ranks(*group, campaign, run.pool.get(), threads, output_path);
}

}  // namespace imcosim::cli
