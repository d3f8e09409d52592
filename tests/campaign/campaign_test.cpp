#include "imcosim/campaign/campaign.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "campaign_support.hpp"
#include "imcosim/campaign/shard.hpp"
#include "imcosim/campaign/statistics.hpp"
#include "imcosim/device/random_stream.hpp"
#include "imcosim/io/hdf5.hpp"
#include "support/run_command.hpp"

namespace imcosim::testing {
namespace {

campaign::CampaignConfig fast_config(long samples, const std::string& extra = "") {
  const ScratchDirectory scratch;
  write_text(scratch / "c.ini", small_campaign_ini(samples, extra));
  auto config = campaign::read_campaign_config(scratch / "c.ini");
  config.spice_every = 0;
  return config;
}

void expect_equal_blocks(const campaign::SampleBlock& a, const campaign::SampleBlock& b) {
  EXPECT_EQ(a.sample_seed, b.sample_seed);
  EXPECT_EQ(a.inputs_volt, b.inputs_volt);
  EXPECT_EQ(a.conductance_siemens, b.conductance_siemens);
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (std::size_t k = 0; k < a.outputs.size(); ++k) {
    EXPECT_EQ(a.outputs[k].first, b.outputs[k].first);
    EXPECT_EQ(a.outputs[k].second, b.outputs[k].second) << a.outputs[k].first;
  }
}

TEST(Campaign, ResultsDoNotDependOnThreadsOrBlockBoundaries) {
  const campaign::Campaign campaign(fast_config(24, "vectors_per_sample = 2"));
  const auto whole = campaign.evaluate(0, 24, {1, nullptr});
  expect_equal_blocks(whole, campaign.evaluate(0, 24, {3, nullptr}));
  // Samples 10..17 alone equal the same rows of the whole run: seeds are counter based.
  const auto part = campaign.evaluate(10, 8, {2, nullptr});
  EXPECT_EQ(part.sample_seed, whole.sample_seed.middleRows(10, 8));
  EXPECT_EQ(part.inputs_volt, whole.inputs_volt.middleRows(20, 16));
  EXPECT_EQ(part.conductance_siemens, whole.conductance_siemens.middleRows(10, 8));
  EXPECT_EQ(part.outputs[2].second, whole.outputs[2].second.middleRows(20, 16));
  EXPECT_EQ(whole.sample_seed(3, 0), static_cast<double>(device::derive_seed(1234, 3)));
}

TEST(Campaign, AnIdealDeviceReproducesTheNominalCircuit) {
  auto config = fast_config(5);
  config.device = device::DeviceParameters{};
  const campaign::Campaign campaign(config);
  const auto block = campaign.evaluate(0, 5, {2, nullptr});
  ASSERT_EQ(block.outputs.size(), 3U);
  const auto& nominal = block.outputs[0].second;
  const auto& solved = block.outputs[2].second;
  EXPECT_LT((nominal - solved).cwiseAbs().maxCoeff(), 1e-9 * nominal.cwiseAbs().maxCoeff());
  // The ideal product ignores the wires, so it differs from the nominal circuit.
  EXPECT_GT((nominal - block.outputs[1].second).cwiseAbs().maxCoeff(), 0.0);
}

TEST(Campaign, SharedTargetsAreTheSameForEverySample) {
  auto config = fast_config(4);
  config.targets = campaign::TargetMode::shared;
  config.device.d2d_variation = device::Variation::none;
  config.device.d2d_spread_percent = 0.0;
  config.device.stuck_lrs_fraction = 0.0;
  config.device.stuck_hrs_fraction = 0.0;
  const campaign::Campaign campaign(config);
  const auto block = campaign.evaluate(0, 4, {1, nullptr});
  for (Eigen::Index s = 1; s < 4; ++s) {
    EXPECT_EQ(block.conductance_siemens.row(s), block.conductance_siemens.row(0));
  }
}

// store_targets: each sample's nominal conductances beside its programmed ones (per-sample
// targets), or the campaign's shared targets once, in the block that holds sample 0.
TEST(Campaign, StoresTheTargetConductancesOnRequest) {
  auto config = fast_config(6);
  config.store_targets = true;
  const campaign::Campaign campaign(config);
  const auto block = campaign.evaluate(0, 6, {2, nullptr});
  ASSERT_EQ(block.target_siemens.rows(), 6);
  ASSERT_EQ(block.target_siemens.cols(), 8 * 6);
  // The targets are the 4 programmable levels; the programmed devices vary around them.
  const double g_min = config.device.g_min_siemens;
  const double step = (config.device.g_max_siemens - g_min) / 3.0;
  for (const double g : block.target_siemens.reshaped()) {
    const double level = (g - g_min) / step;
    EXPECT_NEAR(level, std::round(level), 1e-9) << g;
  }
  EXPECT_GT((block.target_siemens - block.conductance_siemens).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_NE(block.target_siemens.row(0), block.target_siemens.row(1));
  EXPECT_EQ(campaign.evaluate(4, 2, {1, nullptr}).target_siemens,
            block.target_siemens.bottomRows(2));

  config.targets = campaign::TargetMode::shared;
  const campaign::Campaign shared(config);
  const auto first = shared.evaluate(0, 3, {1, nullptr});
  ASSERT_EQ(first.target_siemens.rows(), 1);
  EXPECT_EQ(shared.evaluate(3, 3, {1, nullptr}).target_siemens.rows(), 0);
  const double level = (first.target_siemens(0, 5) - g_min) / step;
  EXPECT_NEAR(level, std::round(level), 1e-9);
  // Without the option nothing is kept.
  EXPECT_EQ(campaign::Campaign(fast_config(2)).evaluate(0, 2, {1, nullptr}).target_siemens.size(),
            0);
}

TEST(Campaign, InputsFromAFileAreTakenInOrderAndWrapAround) {
  const ScratchDirectory scratch;
  Eigen::MatrixXd file_inputs = Eigen::MatrixXd::Random(5, 8) * 0.2;
  {
    auto file = io::hdf5::File::create(scratch / "in.h5");
    file.write_matrix("inputs", file_inputs);
  }
  write_text(scratch / "c.ini",
             "[campaign]\nsamples = 4\nseed = 3\nvectors_per_sample = 2\n[tile]\nrows = 8\n"
             "cols = 6\n[inputs]\nsource = file\nfile = in.h5\n");
  const campaign::Campaign campaign(campaign::read_campaign_config(scratch / "c.ini"));
  const auto block = campaign.evaluate(1, 3, {2, nullptr});
  for (Eigen::Index row = 0; row < 6; ++row) {
    EXPECT_EQ(block.inputs_volt.row(row), file_inputs.row((2 + row) % 5)) << row;
  }
  // The fingerprint covers the values read, not only the file name.
  file_inputs(0, 0) += 1.0;
  {
    auto file = io::hdf5::File::create(scratch / "in.h5");
    file.write_matrix("inputs", file_inputs);
  }
  const campaign::Campaign changed(campaign::read_campaign_config(scratch / "c.ini"));
  EXPECT_NE(changed.configuration_hash(), campaign.configuration_hash());
}

TEST(Shard, RangesPartitionTheCampaign) {
  for (const std::int64_t samples : {1, 7, 100, 1001}) {
    for (const std::int64_t count : {1, 2, 3, 8}) {
      std::int64_t next = 0;
      for (std::int64_t index = 0; index < count; ++index) {
        const auto range = campaign::shard_range({index, count}, samples);
        EXPECT_EQ(range.first, next);
        next += range.count;
      }
      EXPECT_EQ(next, samples);
    }
  }
  EXPECT_EQ(campaign::parse_shard("2/5").index, 2);
  EXPECT_EQ(campaign::shard_text(campaign::parse_shard("2/5")), "2/5");
  for (const char* bad : {"5/5", "-1/3", "1", "a/b", "1/0", "1/2x"}) {
    EXPECT_THROW((void)campaign::parse_shard(bad), Error) << bad;
  }
}

TEST(Statistics, MatchNumpysDefinitions) {
  // numpy: mean 2.5, std(ddof=1) 1.2909944, percentile 5 -> 1.15, 50 -> 2.5, 95 -> 3.85.
  const auto summary = campaign::summarize({4.0, 1.0, 3.0, 2.0});
  EXPECT_EQ(summary.count, 4);
  EXPECT_DOUBLE_EQ(summary.mean, 2.5);
  EXPECT_NEAR(summary.standard_deviation, 1.2909944487358056, 1e-15);
  EXPECT_DOUBLE_EQ(summary.p5, 1.15);
  EXPECT_DOUBLE_EQ(summary.p50, 2.5);
  EXPECT_DOUBLE_EQ(summary.p95, 3.85);
  EXPECT_EQ(summary.minimum, 1.0);
  EXPECT_EQ(summary.maximum, 4.0);
  EXPECT_EQ(campaign::summarize({}).count, 0);
}

}  // namespace
}  // namespace imcosim::testing
