#include "imcosim/campaign/dataset_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "campaign_support.hpp"
#include "imcosim/campaign/error.hpp"
#include "imcosim/io/hdf5.hpp"
#include "support/run_command.hpp"

namespace imcosim::testing {
namespace {

campaign::CampaignConfig config_without_spice(const ScratchDirectory& scratch, long samples) {
  write_text(scratch / "c.ini", small_campaign_ini(samples));
  auto config = campaign::read_campaign_config(scratch / "c.ini");
  config.spice_every = 0;
  return config;
}

TEST(DatasetWriter, ResumesAfterTheLastCommittedBlockAndRefusesOtherCampaigns) {
  const ScratchDirectory scratch;
  const campaign::Campaign campaign(config_without_spice(scratch, 12));
  const auto header = campaign::dataset_header(campaign, {}, "", "");
  const auto path = scratch / "d.h5";
  {
    campaign::DatasetWriter writer(path, header);
    EXPECT_EQ(writer.completed_samples(), 0);
    writer.append(campaign.evaluate(0, 5, {1, nullptr}));
    EXPECT_THROW(writer.append(campaign.evaluate(6, 2, {1, nullptr})), campaign::CampaignError);
  }
  campaign::DatasetWriter resumed(path, header);
  EXPECT_EQ(resumed.completed_samples(), 5);
  resumed.append(campaign.evaluate(5, 7, {1, nullptr}));
  EXPECT_TRUE(resumed.complete());

  const auto read_back = campaign::read_sample_block(path, header, 3, 6);
  const auto direct = campaign.evaluate(3, 6, {1, nullptr});
  EXPECT_EQ(read_back.inputs_volt, direct.inputs_volt);
  EXPECT_EQ(read_back.conductance_siemens, direct.conductance_siemens);
  EXPECT_EQ(read_back.outputs[2].second, direct.outputs[2].second);

  // Another configuration must not touch the file.
  auto other_config = config_without_spice(scratch, 12);
  other_config.seed = 99;
  const campaign::Campaign other(other_config);
  try {
    campaign::DatasetWriter refused(path, campaign::dataset_header(other, {}, "", ""));
    FAIL() << "a dataset of another configuration was reopened";
  } catch (const campaign::CampaignError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("another campaign"), std::string::npos);
  }
  EXPECT_EQ(campaign::read_completed_samples(path), 12);
}

// Only `samples` grew: the configuration hash stays, the file is extended from where it ends,
// and it equals a dataset written at the larger size from the start. It never shrinks.
TEST(DatasetWriter, GrowsToMoreSamplesKeepingItsConfiguration) {
  const ScratchDirectory scratch;
  const campaign::Campaign small(config_without_spice(scratch, 5));
  const campaign::Campaign large(config_without_spice(scratch, 9));
  EXPECT_EQ(small.configuration_hash(), large.configuration_hash());
  EXPECT_EQ(small.configuration_text(), large.configuration_text());
  const auto grown = scratch / "grown.h5";
  {
    campaign::DatasetWriter writer(grown, campaign::dataset_header(small, {}, "", ""));
    writer.append(small.evaluate(0, 5, {1, nullptr}));
    EXPECT_TRUE(writer.complete());
  }
  {
    campaign::DatasetWriter writer(grown, campaign::dataset_header(large, {}, "", ""));
    EXPECT_EQ(writer.completed_samples(), 5);
    EXPECT_FALSE(writer.complete());
    writer.append(large.evaluate(5, 4, {1, nullptr}));
    EXPECT_TRUE(writer.complete());
  }
  const auto fresh = scratch / "fresh.h5";
  {
    campaign::DatasetWriter writer(fresh, campaign::dataset_header(large, {}, "", ""));
    writer.append(large.evaluate(0, 9, {1, nullptr}));
  }
  EXPECT_EQ(dataset_difference(fresh, grown), "");
  try {
    campaign::DatasetWriter shrunk(grown, campaign::dataset_header(small, {}, "", ""));
    FAIL() << "a dataset was reopened for fewer samples than it holds";
  } catch (const campaign::CampaignError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("only grows"), std::string::npos) << error.what();
  }
  EXPECT_EQ(campaign::read_completed_samples(grown), 9);

  // A shard's range depends on the campaign's samples: it does not grow.
  const campaign::Shard half{0, 2};
  campaign::DatasetWriter(scratch / "shard.h5", campaign::dataset_header(small, half, "", ""));
  try {
    campaign::DatasetWriter grown_shard(scratch / "shard.h5",
                                        campaign::dataset_header(large, half, "", ""));
    FAIL() << "a shard was reopened for a campaign of more samples";
  } catch (const campaign::CampaignError& error) {
    EXPECT_NE(std::string(error.what()).find("shards do not grow"), std::string::npos)
        << error.what();
  }
}

// The targets are a dataset of their own: per sample, or the shared row once (in the shard that
// holds sample 0), which a merge of the shards keeps.
TEST(DatasetWriter, StoresTargetConductancesPerSampleOrOnce) {
  const ScratchDirectory scratch;
  auto config = config_without_spice(scratch, 6);
  config.store_targets = true;
  const campaign::Campaign per_sample(config);
  const auto header = campaign::dataset_header(per_sample, {}, "", "");
  {
    campaign::DatasetWriter writer(scratch / "per_sample.h5", header);
    writer.append(per_sample.evaluate(0, 6, {1, nullptr}));
  }
  EXPECT_EQ(campaign::read_sample_block(scratch / "per_sample.h5", header, 2, 3).target_siemens,
            per_sample.evaluate(2, 3, {1, nullptr}).target_siemens);

  config.targets = campaign::TargetMode::shared;
  const campaign::Campaign shared(config);
  std::vector<std::filesystem::path> shards;
  for (const std::int64_t k : {0, 1}) {
    const campaign::Shard shard{k, 2};
    const auto shard_header = campaign::dataset_header(shared, shard, "", "");
    shards.push_back(scratch / ("shard" + std::to_string(k) + ".h5"));
    campaign::DatasetWriter writer(shards.back(), shard_header);
    writer.append(
        shared.evaluate(shard_header.range.first, shard_header.range.count, {1, nullptr}));
  }
  std::vector<std::int64_t> progress;
  campaign::merge_datasets(shards, scratch / "merged.h5",
                           [&](std::int64_t done, std::int64_t total) {
                             EXPECT_EQ(total, config.samples);
                             progress.push_back(done);
                           });
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_EQ(progress.back(), config.samples);
  const auto file = io::hdf5::File::open_read_only(scratch / "merged.h5");
  EXPECT_EQ(file.open_dataset("target_conductance").shape(), (io::hdf5::Shape{1, 48}));
  EXPECT_EQ(file.open_dataset("target_conductance").read_matrix(),
            shared.evaluate(0, 1, {1, nullptr}).target_siemens);
  EXPECT_EQ(io::hdf5::File::open_read_only(shards[1]).open_dataset("target_conductance").shape(),
            (io::hdf5::Shape{0, 48}));
}

TEST(DatasetWriter, RefusesToOverwriteAFileThatIsNotADataset) {
  const ScratchDirectory scratch;
  const campaign::Campaign campaign(config_without_spice(scratch, 3));
  const auto path = scratch / "other.h5";
  { auto file = io::hdf5::File::create(path); }
  EXPECT_THROW(campaign::DatasetWriter(path, campaign::dataset_header(campaign, {}, "", "")),
               campaign::CampaignError);
}

TEST(MergeDatasets, RejectsIncompleteAndMissingShards) {
  const ScratchDirectory scratch;
  const campaign::Campaign campaign(config_without_spice(scratch, 10));
  std::vector<std::filesystem::path> shards;
  for (std::int64_t k = 0; k < 3; ++k) {
    const auto header = campaign::dataset_header(campaign, {k, 3}, "", "");
    shards.push_back(scratch / ("s" + std::to_string(k) + ".h5"));
    campaign::DatasetWriter writer(shards.back(), header);
    writer.append(
        campaign.evaluate(header.range.first, k == 2 ? 1 : header.range.count, {1, nullptr}));
  }
  const auto merged = scratch / "merged.h5";
  EXPECT_THROW(campaign::merge_datasets(shards, merged), campaign::CampaignError);
  EXPECT_THROW(campaign::merge_datasets({shards[0], shards[1]}, merged), campaign::CampaignError);
  EXPECT_THROW(campaign::merge_datasets({shards[0], shards[0]}, merged), campaign::CampaignError);
  EXPECT_FALSE(std::filesystem::exists(merged));
}

}  // namespace
}  // namespace imcosim::testing
