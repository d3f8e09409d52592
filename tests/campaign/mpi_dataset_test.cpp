// `mpirun -n 3 imcosim dataset` (Open MPI, oversubscribed on any machine): the ranks' parts merge
// into the file one process writes, a killed rank's run resumes to that same file, and the other
// commands refuse to run once per rank.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "campaign_support.hpp"
#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

// Root may run the ranks here (CI runs as root); 3 ranks on 2 cores need --oversubscribe. Leak
// checks are off for the ranks under the sanitizers: Open MPI's own allocations outlive them.
std::string mpirun(int ranks) {
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
         "ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 " +
         std::string(IMCOSIM_MPIEXEC) + " -n " + std::to_string(ranks) + " --oversubscribe " +
         IMCOSIM_CLI_PATH;
}

// A tile campaign without ngspice: every process of the job is one rank (no forked workers).
std::string campaign_without_ngspice(long samples) {
  auto text = small_campaign_ini(samples, "block_samples = 16");
  text.replace(text.find("spice_every = 10"), 16, "spice_every = 0");
  return text;
}

// The part files in `directory` (not the hidden lock files beside them).
std::size_t parts_in(const std::filesystem::path& directory) {
  std::size_t parts = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with('.') && name.find(".part-") != std::string::npos) {
      ++parts;
    }
  }
  return parts;
}

TEST(MpiDataset, ThreeRanksWriteTheFileOfOneProcess) {
  const ScratchDirectory scratch;
  const auto config = (scratch / "c.ini").string();
  write_text(config, small_campaign_ini(61, "block_samples = 8"));  // ngspice every 10th
  const auto one = run_imcosim("dataset " + config + " -o " + (scratch / "one.h5").string());
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto three = run_command(mpirun(3) + " dataset " + config + " -o " +
                                 (scratch / "three.h5").string() + " --threads 1 --workers 1");
  ASSERT_EQ(three.exit_code, 0) << three.output;
  EXPECT_EQ(dataset_difference(scratch / "one.h5", scratch / "three.h5"), "");
  EXPECT_EQ(parts_in(scratch.path()), 0U) << "the parts are removed once merged";
  // One progress report for the job, from the root, and one summary.
  EXPECT_NE(three.output.find("dataset: 61/61 samples"), std::string::npos) << three.output;
  EXPECT_EQ(three.output.find("wrote "), three.output.rfind("wrote ")) << three.output;
  EXPECT_NE(three.output.find("61 samples over 3 MPI ranks"), std::string::npos) << three.output;

  // Run again: the output is complete, nothing is evaluated.
  const auto again = run_command(mpirun(3) + " dataset " + config + " -o " +
                                 (scratch / "three.h5").string() + " --threads 1 --workers 1");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already complete"), std::string::npos) << again.output;
}

TEST(MpiDataset, AKilledRankLeavesThePartsAndTheSameCommandResumes) {
  const ScratchDirectory scratch;
  const auto config = (scratch / "c.ini").string();
  write_text(config, campaign_without_ngspice(6000));
  const auto output = scratch / "killed.h5";
  const std::string command =
      mpirun(3) + " dataset " + config + " -o " + output.string() + " --threads 1 --workers 1";
  // Once the last rank's part exists, wait a little and kill the newest rank (SIGKILL: no
  // handler runs); mpirun then ends the job. The pattern names this test's configuration, so
  // that no rank of another test running beside it is killed.
  const auto last_part = scratch / "killed.part-2-of-3.h5";
  const auto killed = run_command(
      "bash -c '" + command + " & job=$!; for i in $(seq 400); do [ -e " + last_part.string() +
      " ] && break; sleep 0.05; done; sleep 0.5; pkill -KILL -n -f \"^" + IMCOSIM_CLI_PATH +
      " dataset " + config + "\"; wait $job; echo \"job exit $?\"'");
  ASSERT_EQ(killed.output.find("job exit 0"), std::string::npos)
      << "the job ended before a rank was killed:\n"
      << killed.output;
  EXPECT_FALSE(std::filesystem::exists(output)) << killed.output;
  EXPECT_EQ(parts_in(scratch.path()), 3U) << killed.output;
  // The parts hold the samples committed before the kill, which the next run keeps.
  const auto committed = run_python(
      "-c \"import glob, h5py; print(sum(int(h5py.File(p, 'r').attrs['completed_samples']) "
      "for p in glob.glob('" +
      (scratch / "killed.part-*-of-3.h5").string() + "')))\"");
  ASSERT_EQ(committed.exit_code, 0) << committed.output;
  EXPECT_GT(std::stol(committed.output), 0) << committed.output;
  EXPECT_LT(std::stol(committed.output), 6000) << committed.output;

  const auto resumed = run_command(command);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("wrote "), std::string::npos) << resumed.output;
  const auto reference = run_imcosim("dataset " + config + " -o " +
                                     (scratch / "reference.h5").string() + " --threads 2");
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  EXPECT_EQ(dataset_difference(scratch / "reference.h5", output), "");
  EXPECT_EQ(parts_in(scratch.path()), 0U);

  // Parts of a run over another number of ranks are not taken for this one's.
  write_text(scratch / "other.part-0-of-2.h5", "");
  const auto mismatched = run_command(mpirun(3) + " dataset " + config + " -o " +
                                      (scratch / "other.h5").string() + " --threads 1");
  EXPECT_NE(mismatched.exit_code, 0);
  EXPECT_NE(mismatched.output.find("is a part of a run over 2 MPI ranks"), std::string::npos)
      << mismatched.output;
}

// The --json result of montecarlo without its timing: the statistics, to every digit.
std::string statistics_of(const std::string& command) {
  return run_command("(" + command + " --json 2>/dev/null) | " + IMCOSIM_PYTHON +
                     " -c \"import json, sys; d = json.load(sys.stdin)['result']; "
                     "[d.pop(k) for k in ('elapsed_s', 'ranks')]; "
                     "print(json.dumps(d, sort_keys=True))\"")
      .output;
}

// Each rank tallies its share; the root joins them in sample order, so every statistic
// (percentiles, means to the last bit, the ngspice agreement) is that of one process.
TEST(MpiMonteCarlo, ThreeRanksReportTheStatisticsOfOneProcess) {
  const ScratchDirectory scratch;
  const auto config = (scratch / "c.ini").string();
  write_text(config, small_campaign_ini(47, "block_samples = 8"));
  const auto one = statistics_of(std::string(IMCOSIM_CLI_PATH) + " montecarlo " + config);
  ASSERT_NE(one.find("\"backends\""), std::string::npos) << one;
  EXPECT_EQ(statistics_of(mpirun(3) + " montecarlo " + config + " --threads 1 --workers 1"), one);
}

TEST(MpiDataset, OtherCommandsRefuseToRunOncePerRank) {
  const auto solve = run_command(mpirun(2) + " solve missing.h5 -o out.h5");
  EXPECT_NE(solve.exit_code, 0);
  EXPECT_NE(solve.output.find("only cosim, montecarlo, dataset split over MPI ranks"),
            std::string::npos)
      << solve.output;
  const auto shard = run_command(mpirun(2) + " dataset c.ini -o out.h5 --shard 1/2");
  EXPECT_NE(shard.exit_code, 0);
}

}  // namespace
}  // namespace imcosim::testing
