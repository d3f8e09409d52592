// Campaigns over an IMAC network (16-8-4 on 8x8 tiles), with the real ngspice and HDF5: the
// nominal reference, device variation on every tile, reproducible and resumable datasets, and
// configurations that are rejected.
#include <gtest/gtest.h>

#include <fstream>

#include "campaign_support.hpp"
#include "imac/imac_test_support.hpp"
#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/network_tally.hpp"
#include "imcosim/imac/evaluation_file.hpp"
#include "imcosim/imac/model.hpp"
#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

// A 16-8-4 ternary network on 8x8 tiles (2 x 1 and 2 x 1 partitions, 4 tiles) in `directory`,
// and a campaign over it; `device` and `backends` are the bodies of those sections.
std::filesystem::path write_network_campaign(const ScratchDirectory& directory, long samples,
                                             const std::string& campaign_extra,
                                             const std::string& device,
                                             const std::string& backends) {
  imac::write_model(directory / "model.h5",
                    random_model({16, 8, 4}, imac::WeightEncoding::ternary, 5));
  write_text(directory / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");
  const auto config = directory / "network.ini";
  write_text(config, "[campaign]\nsamples = " + std::to_string(samples) + "\nseed = 99\n" +
                         campaign_extra + "\n[network]\nmodel = model.h5\ncircuit = circuit.ini\n" +
                         "[device]\n" + device + "\n[backends]\n" + backends + "\n");
  return config;
}

const std::string variation =
    "d2d_distribution = lognormal\nd2d_spread_percent = 10\nstuck_lrs_fraction = 0.01\n"
    "stuck_hrs_fraction = 0.01\n";

std::string cache_option() { return " --cache-dir " + shared_neuron_cache(); }

TEST(NetworkCampaign, IdealDevicesGiveTheNominalNetworkAndNgspiceAgrees) {
  const ScratchDirectory scratch;
  const auto config_path =
      write_network_campaign(scratch, 3, "vectors_per_sample = 2", "", "spice_every = 1");
  spice::WorkerPool pool({2});
  const campaign::Campaign campaign(campaign::read_campaign_config(config_path),
                                    {&pool, shared_neuron_cache()});
  // Layer 0: 16 inputs + bias on 3 tiles of 16 lines; layer 1: 8 + 1 rows on 2 tiles of 8 lines.
  EXPECT_EQ(campaign.device_count(), 17 * 16 + 9 * 8);
  const auto block = campaign.evaluate(0, 3, {2, &pool});
  ASSERT_EQ(block.outputs.size(), 2U);
  const auto& nominal = block.outputs[0].second;
  ASSERT_EQ(nominal.rows(), 6);
  ASSERT_EQ(nominal.cols(), 4);
  // No variation, fault, drift or noise: the programmed network is the nominal one, exactly.
  EXPECT_EQ(block.outputs[1].second, nominal);
  EXPECT_EQ(block.predicted_class[1].second, block.predicted_class[0].second);
  EXPECT_EQ(block.power_watt[1].second, block.power_watt[0].second);
  // ngspice on every sample, within the tolerance of imcosim imac validate.
  ASSERT_EQ(block.spice_outputs.rows(), 6);
  EXPECT_LT((block.spice_outputs - nominal).cwiseAbs().maxCoeff(),
            campaign::NetworkTally::spice_tolerance_volt);
  EXPECT_EQ(block.spice_predicted_class, block.predicted_class[0].second);
  // The outputs span the neurons' range: the check above is not vacuous.
  EXPECT_GT(nominal.maxCoeff() - nominal.minCoeff(), 0.3);
}

TEST(NetworkCampaign, VariationMovesTheOutputsAndEachSampleDependsOnItsSeedOnly) {
  const ScratchDirectory scratch;
  const auto config_path = write_network_campaign(
      scratch, 8, "", variation + "c2c_noise_percent = 2\n", "spice_every = 0");
  spice::WorkerPool pool({1});
  const campaign::Campaign campaign(campaign::read_campaign_config(config_path),
                                    {&pool, shared_neuron_cache()});
  const auto whole = campaign.evaluate(0, 8, {2, nullptr});
  const auto part = campaign.evaluate(5, 2, {1, nullptr});
  EXPECT_EQ(part.outputs[1].second, whole.outputs[1].second.middleRows(5, 2));
  EXPECT_EQ(part.conductance_siemens, whole.conductance_siemens.middleRows(5, 2));
  const double moved = (whole.outputs[1].second - whole.outputs[0].second).cwiseAbs().maxCoeff();
  EXPECT_GT(moved, 1e-3);
  // Faults stick devices at the circuit's states, 1/R_low and 1/R_high.
  const auto& g = whole.conductance_siemens;
  EXPECT_EQ((g.array() == 1.0 / 5e3).count() + (g.array() == 1.0 / 15e3).count() > 0, true);
  EXPECT_GT(g.minCoeff(), 0.0);
}

TEST(NetworkCampaignCli, DatasetIsBitIdenticalWhateverThreadsAndWorkersAndMerges) {
  const ScratchDirectory scratch;
  const auto config =
      write_network_campaign(scratch, 12, "block_samples = 5", variation, "spice_every = 4")
          .string();
  EXPECT_EQ(parallelism_difference(config, scratch.path(), cache_option()), "");

  // h5py sees the documented schema, and ngspice agrees with the fast evaluator on the same
  // programmed devices.
  const auto schema = run_python(
      "-c \"import h5py, numpy as np; f = h5py.File('" + (scratch / "one.h5").string() +
      "', 'r'); a = f.attrs; "
      "assert a['subject'] == 'network' and a['completed_samples'] == 12, dict(a); "
      "assert (a['rows'], a['cols'], a['devices']) == (16, 4, 344), dict(a); "
      "assert f['inputs'].shape == (12, 16) and f['conductance'].shape == (12, 344); "
      "assert f['outputs/nominal'].shape == (12, 4) and f['outputs/fast'].shape == (12, 4); "
      "assert f['power/fast'].shape == (12, 1) and f['predicted_class/nominal'].shape == (12, 1); "
      "assert list(f['outputs/ngspice_sample'][:, 0]) == [0, 4, 8]; "
      "assert f['outputs/ngspice'].attrs['unit'] == 'V' and f['power/ngspice'].shape == (3, 1); "
      "d = abs(f['outputs/ngspice'][:] - f['outputs/fast'][[0, 4, 8]]).max(); "
      "assert d < 2e-3, d; "
      "c = f['predicted_class/fast'][:, 0]; "
      "assert (c == f['outputs/fast'][:].argmax(1)).all(); "
      "assert 'network.sizes = 16-8-4' in a['configuration']; print(d)\"");
  EXPECT_EQ(schema.exit_code, 0) << schema.output;

  // Shards merge into the unsharded file.
  std::string shards;
  for (int k = 1; k >= 0; --k) {
    const auto shard = (scratch / ("part" + std::to_string(k) + ".h5")).string();
    const auto run = run_imcosim("dataset " + config + " -o " + shard + " --shard " +
                                 std::to_string(k) + "/2" + cache_option());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    shards += " " + shard;
  }
  const auto merged = run_imcosim("merge" + shards + " -o " + (scratch / "merged.h5").string());
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_EQ(dataset_difference(scratch / "one.h5", scratch / "merged.h5"), "");
}

TEST(NetworkCampaignCli, KilledAndResumedEqualsAnUninterruptedRun) {
  const ScratchDirectory scratch;
  const auto config =
      write_network_campaign(scratch, 120, "block_samples = 4", variation, "spice_every = 40")
          .string();
  const auto reference = scratch / "reference.h5";
  const auto whole =
      run_imcosim("dataset " + config + " -o " + reference.string() + cache_option());
  ASSERT_EQ(whole.exit_code, 0) << whole.output;

  const auto output = scratch / "killed.h5";
  const auto runs = run_killed_datasets(
      config + " -o " + output.string() + " --threads 2 --workers 2" + cache_option(), output,
      "power/fast", 4, 100, 900, 20261130);
  EXPECT_GT(runs.kills, 0);
  EXPECT_EQ(runs.problems, "");
  const auto finish = run_imcosim("dataset " + config + " -o " + output.string() + cache_option());
  ASSERT_EQ(finish.exit_code, 0) << finish.output;
  EXPECT_EQ(dataset_difference(reference, output), "");
}

TEST(NetworkCampaignCli, MonteCarloReportsErrorsClassFlipsAndNgspiceAgreement) {
  const ScratchDirectory scratch;
  const auto config =
      write_network_campaign(scratch, 10, "", variation, "spice_every = 5").string();
  const auto run = run_imcosim("montecarlo " + config + cache_option());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* text :
       {"10 samples of a 16-input, 4-output IMAC network (344 devices)",
        "Output-voltage error against the nominal network", "Class flips", "fast ", "ngspice ",
        "Power per inference", "ngspice against the fast evaluator", "PASS (tolerance 2 mV)"}) {
    EXPECT_NE(run.output.find(text), std::string::npos) << text << "\n" << run.output;
  }
}

// An input file with /labels: the samples carry their vectors' labels, the tally counts each
// back-end's correct classes (the accuracy under variation), montecarlo reports it and the
// dataset stores the labels. store_targets keeps the nominal conductances once.
TEST(NetworkCampaignCli, LabelledInputsGiveTheAccuracyUnderVariation) {
  const ScratchDirectory scratch;
  const auto config_path =
      write_network_campaign(scratch, 4, "vectors_per_sample = 2", variation, "spice_every = 2");
  const std::vector<Eigen::Index> labels{2, 0, 3};
  imac::write_network_inputs(scratch / "inputs.h5", {random_inputs(3, 16, 8), labels});
  std::ofstream(config_path, std::ios::app)
      << "[inputs]\nsource = file\nfile = inputs.h5\n[output]\nstore_targets = true\n";
  spice::WorkerPool pool({2});
  const campaign::Campaign campaign(campaign::read_campaign_config(config_path),
                                    {&pool, shared_neuron_cache()});
  ASSERT_TRUE(campaign.labelled());
  const auto block = campaign.evaluate(0, 4, {2, &pool});
  ASSERT_EQ(block.labels.rows(), 8);
  for (Eigen::Index row = 0; row < 8; ++row) {
    EXPECT_EQ(block.labels(row, 0), static_cast<double>(labels[static_cast<std::size_t>(row % 3)]));
  }
  campaign::NetworkTally tally(campaign);
  tally.add(block);
  const auto statistics = tally.statistics();
  ASSERT_EQ(statistics.size(), 3U);
  for (std::size_t b = 0; b < 2; ++b) {
    EXPECT_EQ(statistics[b].labelled, 8) << statistics[b].name;
    EXPECT_EQ(statistics[b].correct,
              (block.predicted_class[b].second.array() == block.labels.array()).count())
        << statistics[b].name;
  }
  EXPECT_EQ(statistics[2].labelled, 4);  // samples 0 and 2 in ngspice

  // The nominal conductances, once: the devices of a campaign without variation.
  ASSERT_EQ(block.target_siemens.rows(), 1);
  const ScratchDirectory ideal_scratch;
  const auto ideal_path = write_network_campaign(ideal_scratch, 1, "", "", "spice_every = 0");
  const campaign::Campaign ideal(campaign::read_campaign_config(ideal_path),
                                 {&pool, shared_neuron_cache()});
  EXPECT_EQ(block.target_siemens, ideal.evaluate(0, 1, {1, nullptr}).conductance_siemens);
  EXPECT_GT((block.conductance_siemens.row(0) - block.target_siemens).cwiseAbs().maxCoeff(), 0.0);

  const auto report = run_imcosim("montecarlo " + config_path.string() + cache_option());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(report.output.find("Accuracy against the input file's labels"), std::string::npos)
      << report.output;
  const auto dataset = run_imcosim("dataset " + config_path.string() + " -o " +
                                   (scratch / "labelled.h5").string() + cache_option());
  ASSERT_EQ(dataset.exit_code, 0) << dataset.output;
  const auto check = run_python(
      "-c \"import h5py; f = h5py.File('" + (scratch / "labelled.h5").string() +
      "', 'r'); assert list(f['labels'][:, 0]) == [2, 0, 3, 2, 0, 3, 2, 0], f['labels'][:]; "
      "assert f['target_conductance'].shape == (1, 344), f['target_conductance'].shape\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(NetworkCampaign, TheExampleConfigurationReadsWithAModelFromMakeNetwork) {
  const ScratchDirectory scratch;
  const std::filesystem::path examples = std::string(IMCOSIM_SOURCE_DIR) + "/examples";
  for (const char* name : {"campaign_imac.ini", "campaign_imac_circuit.ini"}) {
    std::filesystem::copy_file(examples / name, scratch / name);
  }
  const auto made = run_python((examples / "imac/make_network.py").string() +
                               " --sizes 16,8,4 --encoding ternary --model " +
                               (scratch / "campaign_imac_model.h5").string() + " --inputs " +
                               (scratch / "inputs.h5").string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto config = campaign::read_campaign_config(scratch / "campaign_imac.ini");
  ASSERT_TRUE(config.network.has_value());
  EXPECT_EQ(config.rows, 16);
  EXPECT_EQ(config.cols, 4);
  EXPECT_EQ(config.network->circuit.xbar_rows, 8);
  EXPECT_EQ(config.spice_every, 100);
}

struct BadNetworkConfig {
  const char* name;
  const char* network;  // the [network] section's keys
  const char* extra;    // appended to the campaign
  const char* message;  // must appear in the error: the file, and the key at fault
};

void PrintTo(const BadNetworkConfig& bad, std::ostream* out) { *out << bad.name; }

class BadNetworkCampaign : public ::testing::TestWithParam<BadNetworkConfig> {};

TEST_P(BadNetworkCampaign, ExitsWithTwoNamingTheFaultAndWritesNothing) {
  const auto& bad = GetParam();
  const ScratchDirectory scratch;
  const auto config = write_network_campaign(scratch, 2, "", "", "");
  write_text(scratch / "broken.h5", "not an HDF5 file");
  write_text(scratch / "bad-circuit.ini", "xbar_rows = 8\nresistance = 3\n");
  imac::write_network_inputs(scratch / "narrow.h5", {random_inputs(3, 8, 1), std::nullopt});
  imac::write_network_inputs(scratch / "mislabelled.h5",
                             {random_inputs(3, 16, 1), std::vector<Eigen::Index>{0, 4, 1}});
  write_text(config, "[campaign]\nsamples = 2\nseed = 1\n[network]\n" + std::string(bad.network) +
                         bad.extra);
  const auto output = scratch / "out.h5";
  const auto run = run_imcosim("dataset " + config.string() + " -o " + output.string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(bad.message), std::string::npos) << run.output;
  EXPECT_FALSE(std::filesystem::exists(output));
}

INSTANTIATE_TEST_SUITE_P(
    Configs, BadNetworkCampaign,
    ::testing::Values(
        BadNetworkConfig{"TileAndNetwork", "model = model.h5\n", "[tile]\nrows = 3\ncols = 2\n",
                         "network.ini: has both a [tile] and a [network] section"},
        BadNetworkConfig{"TileBackEnd", "model = model.h5\n", "[backends]\nsolver = direct\n",
                         "network.ini: [backends] solver is for tile campaigns"},
        BadNetworkConfig{"DeviceStatesOfTheNetwork", "model = model.h5\n",
                         "[device]\ng_max = 1e-3\n",
                         "network.ini: [device] g_max is set by the network"},
        BadNetworkConfig{"NoModel", "circuit = circuit.ini\n", "",
                         "network.ini: [network] model is missing"},
        BadNetworkConfig{"MissingModel", "model = absent.h5\n", "",
                         "network.ini: [network] model = 'absent.h5'"},
        BadNetworkConfig{"ModelNotHdf5", "model = broken.h5\n", "",
                         "network.ini: [network] model: "},
        BadNetworkConfig{"UnknownCircuitKey", "model = model.h5\ncircuit = bad-circuit.ini\n", "",
                         "network.ini: [network] circuit: "},
        BadNetworkConfig{"UnknownNetworkKey", "model = model.h5\nweights = model.h5\n", "",
                         "network.ini: unrecognised option 'network.weights'"},
        BadNetworkConfig{"InputFileOfTheWrongWidth", "model = model.h5\n",
                         "[inputs]\nsource = file\nfile = narrow.h5\n",
                         "narrow.h5:/inputs has shape [3][8]; expected [K][16]"},
        BadNetworkConfig{"LabelThatIsNoClass", "model = model.h5\n",
                         "[inputs]\nsource = file\nfile = mislabelled.h5\n",
                         "mislabelled.h5:/labels[1] = 4 is not a class of the network's 4 "
                         "outputs"}));

TEST(BadNetworkCampaign, FastBackEndKeyIsRejectedForTiles) {
  const ScratchDirectory scratch;
  write_text(scratch / "tile.ini", small_campaign_ini(2) + "fast = true\n");
  const auto run = run_imcosim("montecarlo " + (scratch / "tile.ini").string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("[backends] fast is for network campaigns"), std::string::npos)
      << run.output;
}

#ifdef IMCOSIM_MPIEXEC
// A network campaign over 3 MPI ranks reports the statistics of one process: errors, class
// flips, accuracy counts and power joined in sample order (compared in --json, to every digit).
TEST(NetworkCampaign, ThreeMpiRanksReportTheStatisticsOfOneProcess) {
  const ScratchDirectory scratch;
  const auto config =
      write_network_campaign(scratch, 23, "vectors_per_sample = 2", variation, "spice_every = 10");
  const auto statistics = [&](const std::string& launch) {
    return run_command("(" + launch + " montecarlo " + config.string() + cache_option() +
                       " --threads 1 --workers 1 --json 2>/dev/null) | " + IMCOSIM_PYTHON +
                       " -c \"import json, sys; d = json.load(sys.stdin)['result']; "
                       "[d.pop(k) for k in ('elapsed_s', 'ranks')]; "
                       "print(json.dumps(d, sort_keys=True))\"")
        .output;
  };
  const auto one = statistics(IMCOSIM_CLI_PATH);
  ASSERT_NE(one.find("class_flips"), std::string::npos) << one;
  EXPECT_EQ(statistics("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
                       "ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 " +
                       std::string(IMCOSIM_MPIEXEC) + " -n 3 --oversubscribe " + IMCOSIM_CLI_PATH),
            one);
}
#endif

}  // namespace
}  // namespace imcosim::testing
