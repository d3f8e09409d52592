// Bad configurations end with exit code 2 and a message naming the key, and leave no output.
#include <gtest/gtest.h>

#include "campaign_support.hpp"
#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

struct BadConfig {
  const char* name;
  const char* ini;      // a complete configuration
  const char* message;  // must appear in the error
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const BadConfig& bad, std::ostream* out) { *out << bad.name; }

constexpr const char* base = "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n";

class BadCampaignConfig : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadCampaignConfig, ExitsWithTwoNamingTheFaultAndWritesNothing) {
  const auto& bad = GetParam();
  const ScratchDirectory scratch;
  write_text(scratch / "bad.ini", bad.ini);
  for (const std::string command : {"dataset", "montecarlo"}) {
    const auto output = scratch / "out.h5";
    const auto run = run_imcosim(command + " " + (scratch / "bad.ini").string() +
                                 (command == "dataset" ? " -o " + output.string() : ""));
    EXPECT_EQ(run.exit_code, 2) << command << ": " << run.output;
    EXPECT_NE(run.output.find(bad.message), std::string::npos) << command << ": " << run.output;
    EXPECT_NE(run.output.find("bad.ini"), std::string::npos) << run.output;
    EXPECT_FALSE(std::filesystem::exists(output));
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Configs, BadCampaignConfig,
    ::testing::Values(
        BadConfig{"UnknownDistribution",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[device]\n"
                  "d2d_distribution = gaussian\nd2d_spread_percent = 5\n",
                  "d2d_distribution: unknown value 'gaussian'"},
        BadConfig{"NegativeRate",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[device]\n"
                  "stuck_lrs_fraction = -0.01\n",
                  "stuck_lrs_fraction = -0.01"},
        BadConfig{"RatesAboveOne",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[device]\n"
                  "stuck_lrs_fraction = 0.7\nstuck_hrs_fraction = 0.4\n",
                  "exceeds 1"},
        BadConfig{"PercentGivenAsRate",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[device]\n"
                  "stuck_hrs_fraction = 5\n",
                  "stuck_hrs_fraction = 5 is invalid"},
        BadConfig{"EmptyConductanceRange",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[device]\n"
                  "g_min = 1e-4\ng_max = 1e-4\n",
                  "conductance range is empty"},
        BadConfig{"EmptyInputRange",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[inputs]\n"
                  "v_min = 0.5\nv_max = -0.5\n",
                  "empty input range"},
        BadConfig{"UnknownKey",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[device]\n"
                  "sigma = 0.1\n",
                  "device.sigma"},
        BadConfig{"UnknownSection",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[devices]\n"
                  "g_min = 1e-6\n",
                  "devices.g_min"},
        BadConfig{"MissingSamples", "[campaign]\nseed = 1\n[tile]\nrows = 3\ncols = 2\n",
                  "[campaign] samples is missing"},
        BadConfig{"ZeroSamples", "[campaign]\nsamples = 0\nseed = 1\n[tile]\nrows = 3\ncols = 2\n",
                  "samples = 0 must be at least 1"},
        BadConfig{"NegativeSeed",
                  "[campaign]\nsamples = 4\nseed = -3\n[tile]\nrows = 3\ncols = 2\n",
                  "seed = '-3'"},
        BadConfig{"NotANumber",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\nr_row = ten\n",
                  "tile.r_row"},
        BadConfig{"NegativeWire",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\nr_col = -1\n",
                  "r_col"},
        BadConfig{"UnknownSolver",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[backends]\n"
                  "solver = magic\n",
                  "solver = 'magic' is unknown"},
        BadConfig{"MissingInputFile",
                  "[campaign]\nsamples = 4\nseed = 1\n[tile]\nrows = 3\ncols = 2\n[inputs]\n"
                  "source = file\nfile = nowhere.h5\n",
                  "nowhere.h5"}),
    [](const ::testing::TestParamInfo<BadConfig>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(BadCampaignUsage, BadShardAndForeignOutputAreExitTwo) {
  const ScratchDirectory scratch;
  write_text(scratch / "c.ini", base);
  const auto shard = run_imcosim("dataset " + (scratch / "c.ini").string() + " -o " +
                                 (scratch / "out.h5").string() + " --shard 3/3");
  EXPECT_EQ(shard.exit_code, 2) << shard.output;
  EXPECT_NE(shard.output.find("--shard '3/3'"), std::string::npos) << shard.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "out.h5"));

  // A dataset of another configuration at the output path is refused and left as it was.
  ASSERT_EQ(run_imcosim("dataset " + (scratch / "c.ini").string() + " -o " +
                        (scratch / "out.h5").string())
                .exit_code,
            0);
  const auto before = std::filesystem::last_write_time(scratch / "out.h5");
  write_text(scratch / "d.ini", std::string(base) + "[device]\ng_min = 1e-6\n");
  const auto other = run_imcosim("dataset " + (scratch / "d.ini").string() + " -o " +
                                 (scratch / "out.h5").string());
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_NE(other.output.find("another campaign"), std::string::npos) << other.output;
  EXPECT_EQ(std::filesystem::last_write_time(scratch / "out.h5"), before);
}

}  // namespace
}  // namespace imcosim::testing
