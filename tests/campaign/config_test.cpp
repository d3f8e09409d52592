#include "imcosim/campaign/config.hpp"

#include <gtest/gtest.h>

#include "campaign_support.hpp"
#include "imcosim/campaign/error.hpp"
#include "support/run_command.hpp"

namespace imcosim::testing {
namespace {

TEST(CampaignConfig, ReadsEverySection) {
  const ScratchDirectory scratch;
  write_text(scratch / "c.ini",
             small_campaign_ini(30, "vectors_per_sample = 3\nblock_samples = 7"));
  const auto config = campaign::read_campaign_config(scratch / "c.ini");
  EXPECT_EQ(config.samples, 30);
  EXPECT_EQ(config.seed, 1234U);
  EXPECT_EQ(config.vectors_per_sample, 3);
  EXPECT_EQ(config.block_samples, 7);
  EXPECT_EQ(config.rows, 8);
  EXPECT_EQ(config.cols, 6);
  EXPECT_EQ(config.wires.r_col_ohm, 2.5);
  EXPECT_EQ(config.targets, campaign::TargetMode::per_sample);
  EXPECT_EQ(config.device.states, device::StateSet::levels);
  EXPECT_EQ(config.device.level_count, 4.0);
  EXPECT_EQ(config.device.d2d_variation, device::Variation::lognormal);
  EXPECT_EQ(config.device.stuck_lrs_fraction, 0.02);
  EXPECT_EQ(config.v_min_volt, -0.3);
  EXPECT_EQ(config.solver, solver::SolverMethod::direct);
  EXPECT_EQ(config.spice_every, 10);
  EXPECT_TRUE(config.store_conductances);
}

TEST(CampaignConfig, CanonicalTextIgnoresFormattingBlockSizeAndSampleCount) {
  const ScratchDirectory scratch;
  write_text(scratch / "a.ini", small_campaign_ini(30));
  write_text(scratch / "b.ini", "# a comment\n" + small_campaign_ini(30, "block_samples = 3"));
  EXPECT_EQ(campaign::canonical_text(campaign::read_campaign_config(scratch / "a.ini")),
            campaign::canonical_text(campaign::read_campaign_config(scratch / "b.ini")));
  // A sample depends on the seed and its index, not on how many samples there are.
  write_text(scratch / "c.ini", small_campaign_ini(31));
  EXPECT_EQ(campaign::canonical_text(campaign::read_campaign_config(scratch / "a.ini")),
            campaign::canonical_text(campaign::read_campaign_config(scratch / "c.ini")));
  write_text(scratch / "d.ini", small_campaign_ini(30, "vectors_per_sample = 2"));
  EXPECT_NE(campaign::canonical_text(campaign::read_campaign_config(scratch / "a.ini")),
            campaign::canonical_text(campaign::read_campaign_config(scratch / "d.ini")));
}

TEST(CampaignConfig, ListedConductancesAcceptCommasAndSpaces) {
  const ScratchDirectory scratch;
  write_text(scratch / "c.ini",
             "[campaign]\nsamples = 1\nseed = 0\n[tile]\nrows = 2\ncols = 2\n[device]\n"
             "states = list\ng_min = 1e-6\ng_max = 1e-4\nconductances = 1e-6, 5e-5 1e-4\n");
  const auto config = campaign::read_campaign_config(scratch / "c.ini");
  EXPECT_EQ(config.device.listed_g_siemens, (std::vector<double>{1e-6, 5e-5, 1e-4}));
}

TEST(CampaignConfig, MissingFileIsBadInput) {
  try {
    (void)campaign::read_campaign_config("/nonexistent/campaign.ini");
    FAIL();
  } catch (const campaign::CampaignError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("/nonexistent/campaign.ini"), std::string::npos);
  }
}

}  // namespace
}  // namespace imcosim::testing
