// End-to-end campaigns through the imcosim executable, with the real ngspice: reproducible
// whatever the parallelism, shards that merge into the whole, and kill -9 at random moments.
#include <gtest/gtest.h>

#include <fstream>

#include "campaign_support.hpp"
#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

TEST(DatasetCli, ThreadAndWorkerCountsDoNotChangeTheDataset) {
  const ScratchDirectory scratch;
  write_text(scratch / "c.ini",
             small_campaign_ini(40, "vectors_per_sample = 2\nblock_samples = 16"));
  EXPECT_EQ(parallelism_difference((scratch / "c.ini").string(), scratch.path()), "");

  // h5py sees the documented schema.
  const auto schema = run_python(
      "-c \"import h5py; f = h5py.File('" + (scratch / "one.h5").string() +
      "', 'r'); "
      "assert f.attrs['completed_samples'] == 40 and int(f.attrs['ngspice_version']) >= 39; "
      "assert f.attrs['ngspice_solver'] in ('klu', 'sparse'); "
      "assert f['inputs'].shape == (80, 8) and f['conductance'].shape == (40, 48); "
      "assert f['outputs/solver'].shape == (80, 6) and f['outputs/ngspice'].shape == (8, 6); "
      "assert list(f['outputs/ngspice_sample'][:, 0]) == [0, 10, 20, 30]; "
      "assert f['inputs'].compression == 'gzip' and f['inputs'].maxshape[0] is None; "
      "d = abs(f['outputs/ngspice'][2:4] - f['outputs/solver'][20:22]).max(); "
      "assert d < 1e-6 * abs(f['outputs/solver'][20:22]).max(), d; "
      "print(f.attrs['configuration_hash'])\"");
  EXPECT_EQ(schema.exit_code, 0) << schema.output;
}

TEST(DatasetCli, ShardsMergeIntoTheUnshardedDataset) {
  const ScratchDirectory scratch;
  const auto config = (scratch / "c.ini").string();
  write_text(config, small_campaign_ini(25, "block_samples = 4"));
  ASSERT_EQ(run_imcosim("dataset " + config + " -o " + (scratch / "whole.h5").string()).exit_code,
            0);
  std::string shards;
  for (int k = 2; k >= 0; --k) {
    const auto shard = (scratch / ("part" + std::to_string(k) + ".h5")).string();
    const auto run =
        run_imcosim("dataset " + config + " -o " + shard + " --shard " + std::to_string(k) + "/3");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    shards += " " + shard;
  }
  const auto merged = run_imcosim("merge" + shards + " -o " + (scratch / "merged.h5").string());
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_EQ(dataset_difference(scratch / "whole.h5", scratch / "merged.h5"), "");
  // Progress on stderr (not a terminal here: plain lines, the last one at the end).
  EXPECT_NE(merged.output.find("merge: 25/25 samples"), std::string::npos) << merged.output;

  const auto incomplete = run_imcosim("merge " + (scratch / "part0.h5").string() + " -o " +
                                      (scratch / "bad.h5").string());
  EXPECT_EQ(incomplete.exit_code, 2) << incomplete.output;
  EXPECT_NE(incomplete.output.find("shard is missing"), std::string::npos) << incomplete.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "bad.h5"));
}

// A write that fails for lack of space (here: the shell's file size limit, which fails writes
// as a full disk does, EFBIG instead of ENOSPC) ends the run with exit 1 and a message saying
// so; the dataset stays resumable and resuming it gives the uninterrupted run's dataset.
TEST(DatasetCli, AFailedWriteMidRunKeepsTheDatasetResumable) {
  const ScratchDirectory scratch;
  const auto config = (scratch / "c.ini").string();
  write_text(config, small_campaign_ini(40, "block_samples = 4"));
  const auto whole = scratch / "whole.h5";
  ASSERT_EQ(run_imcosim("dataset " + config + " -o " + whole.string()).exit_code, 0);
  const auto blocks = std::filesystem::file_size(whole) / 2 / 512;  // dash counts 512-byte blocks
  const auto part = scratch / "part.h5";
  const auto limited =
      run_command("trap '' XFSZ; ulimit -f " + std::to_string(blocks) + "; " + IMCOSIM_CLI_PATH +
                  " dataset " + config + " -o " + part.string());
  ASSERT_EQ(limited.exit_code, 1) << limited.output;
  EXPECT_NE(limited.output.find("file size limit was reached"), std::string::npos)
      << limited.output;
  const auto resumed = run_imcosim("dataset " + config + " -o " + part.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(dataset_difference(whole, part), "");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 3);
}

// A second writer of a dataset that is being written (here under another spelling of the
// same path) is refused with exit 2 while the first ends as if it had run alone.
TEST(DatasetCli, ASecondWriterOfTheSameDatasetIsRefused) {
  const ScratchDirectory scratch;
  const auto config = (scratch / "c.ini").string();
  write_text(config, small_campaign_ini(1000, "block_samples = 8"));
  const auto shared = scratch / "shared.h5";
  const std::string dataset = std::string(IMCOSIM_CLI_PATH) + " dataset " + config + " -o ";
  // Grouped, so that the second writer's stderr is captured too.
  const auto both = run_command(
      "(" + dataset + shared.string() + " > " + (scratch / "first.log").string() + " 2>&1 & " +
      "while [ ! -e " + (scratch / ".shared.h5.lock").string() +
      " ] && kill -0 $! 2>/dev/null; do sleep 0.02; done; " + dataset +
      (scratch / "." / "shared.h5").string() + "; echo second=$?; wait $!; echo first=$?)");
  EXPECT_NE(both.output.find("another process is writing this file"), std::string::npos)
      << both.output;
  EXPECT_NE(both.output.find("second=2"), std::string::npos) << both.output;
  EXPECT_NE(both.output.find("first=0"), std::string::npos) << both.output;
  const auto alone = scratch / "alone.h5";
  ASSERT_EQ(run_imcosim("dataset " + config + " -o " + alone.string()).exit_code, 0);
  EXPECT_EQ(dataset_difference(alone, shared), "");
  EXPECT_FALSE(std::filesystem::exists(scratch / ".shared.h5.lock"));
}

TEST(DatasetCli, KilledAtRandomMomentsAndResumedEqualsAnUninterruptedRun) {
  const ScratchDirectory scratch;
  const auto config = (scratch / "c.ini").string();
  write_text(config, small_campaign_ini(200, "block_samples = 4"));
  const auto reference = scratch / "reference.h5";
  ASSERT_EQ(run_imcosim("dataset " + config + " -o " + reference.string()).exit_code, 0);

  const auto output = scratch / "killed.h5";
  const auto runs =
      run_killed_datasets(config + " -o " + output.string() + " --threads 2 --workers 2", output,
                          "outputs/nominal", 6, 20, 200, 20261122);
  EXPECT_GT(runs.kills, 0);
  EXPECT_EQ(runs.problems, "");
  const auto finish = run_imcosim("dataset " + config + " -o " + output.string());
  ASSERT_EQ(finish.exit_code, 0) << finish.output;
  EXPECT_EQ(dataset_difference(reference, output), "");
  // No temporary of a killed run is left next to the dataset.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 3);
}

TEST(DatasetCli, MonteCarloReportsErrorsPerBackEnd) {
  const ScratchDirectory scratch;
  write_text(scratch / "c.ini", small_campaign_ini(30));
  const auto run = run_imcosim("montecarlo " + (scratch / "c.ini").string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* text : {"Relative error against the nominal circuit", "ideal", "solver",
                           "ngspice", "Output currents (A)", "ngspice against the solver"}) {
    EXPECT_NE(run.output.find(text), std::string::npos) << text << "\n" << run.output;
  }
  for (const char* command : {"montecarlo", "dataset", "merge"}) {
    const auto help = run_imcosim(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << help.output;
    EXPECT_NE(help.output.find("Usage: imcosim " + std::string(command)), std::string::npos);
  }
}

}  // namespace
}  // namespace imcosim::testing
