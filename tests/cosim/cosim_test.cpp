// imcosim cosim as a user runs it, on a small CNN (conv 4x5x5 stride 2, max pool 3, FC 64-12-10 on
// 16x16 tiles with wire parasitics): the TPU-only run equals the trainer's int8 forward on every
// image, ngspice agrees with the fast path within 2 mV with the same classes, the transient
// measures a latency, the files are readable with h5py; bad configurations exit 2 naming the
// key and write nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "imac/imac_test_support.hpp"
#include "imcosim/cosim/config.hpp"
#include "imcosim/cosim/error.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/nn/architecture.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/imac_circuit.hpp"
#include "imcosim/nn/model_file.hpp"
#include "support/run_command.hpp"
#include "support/workload.hpp"

namespace imcosim {
namespace {

using testing::run_command;
using testing::ScratchDirectory;

const std::string cli = IMCOSIM_CLI_PATH;
const std::string circuit_text = "xbar_rows = 16\nxbar_cols = 16\namp_gains = 30,30\n";

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A float model (the TPU-only baseline, quantised by the co-simulation) and an imac-ideal model
// of the same random weights, as `imcosim train` writes them.
void write_models(const std::filesystem::path& directory, const std::string& input_line) {
  write_text(directory / "tiny.txt",
             "name tiny\n" + input_line +
                 "\nconv2d filters=4 kernel=5 stride=2\nrelu\nmaxpool kernel=3\nflatten\n"
                 "split\ndense units=12\nimac_sigmoid\ndense units=10\nimac_sigmoid\n");
  nn::HybridNetwork network(nn::load_architecture((directory / "tiny.txt").string()));
  network.model().initialise(5);
  nn::write_model_file(directory / "float.h5", nn::ModelFile(network));
  if (network.architecture().input().height != 28) {
    return;
  }
  const auto train =
      nn::read_fashion_mnist(nn::fashion_mnist_directory, nn::DatasetSplit::train).subset(0, 64);
  network.quantise(train, 64);
  write_text(directory / "circuit.ini", circuit_text);
  auto parameters = imac::read_parameters(directory / "circuit.ini");
  parameters.wire_model = imac::WireModel::ideal;
  spice::WorkerPool pool({.worker_count = 1});
  auto table =
      imac::characterise_neuron(pool, imac::neuron_circuit(parameters),
                                imac::neuron_grid_for(parameters), testing::shared_neuron_cache());
  network.attach_imac(std::make_shared<const nn::ImacCircuit>(parameters, std::move(table),
                                                              std::vector<Eigen::Index>{64, 12, 10},
                                                              imac::WeightEncoding::ternary),
                      nn::DacParameters{});
  nn::ModelFile model(network);
  model.imac_encoding = imac::WeightEncoding::ternary;
  model.dac = network.dac();
  model.settings["imac_config"] = circuit_text;
  nn::write_model_file(directory / "imac.h5", model);
}

std::string config_text(std::size_t images,
                        const std::string& spice_keys = "latency_images = 1\n") {
  return "[cosim]\ntest_images = " + std::to_string(images) +
         "\n[tpu_only]\nmodel = float.h5\ncalibration_images = 64\n[tpu_imac]\nmodel = "
         "imac.h5\n[tpu]\narray_rows = 8\narray_cols = 8\ndataflow = ws\n[device]\ndraws = 1\n"
         "d2d_distribution = lognormal\nd2d_spread_percent = 5\n[spice]\nevery = " +
         std::to_string(images / 2) + "\n" + spice_keys;
}

// A transient check is the latency measurement as well: its windows settle to the fast path's
// outputs, and their settling gives the IMAC latency without further runs.
TEST(Cosim, TransientCheckMeasuresTheLatency) {
  const ScratchDirectory scratch;
  write_models(scratch.path(), "input 28 28 1");
  const std::size_t images = testing::workload<std::size_t>(40, 20);
  write_text(scratch.path() / "cosim.ini", config_text(images, "analysis = tran\n"));
  const auto output = scratch.path() / "out";
  const auto run =
      run_command(cli + " cosim " + (scratch.path() / "cosim.ini").string() + " -o " +
                  output.string() + " --workers 2 --cache-dir " + testing::shared_neuron_cache());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("classes equal on 2 of 2"), std::string::npos) << run.output;
  const auto read = run_command(
      std::string(IMCOSIM_PYTHON) + " -c \"import h5py; f = h5py.File('" +
      (output / "cosim.h5").string() +
      "', 'r'); c = f['spice_check']; assert c.attrs['analysis'] == 'tran', c.attrs['analysis']; "
      "assert c.attrs['max_difference_volt'] < 1e-4, c.attrs['max_difference_volt']; "
      "assert 1e-10 < f.attrs['imac_latency_s'] < 1e-9, f.attrs['imac_latency_s']; "
      "assert f.attrs['imac_power_watt'] > 0\"");
  EXPECT_EQ(read.exit_code, 0) << read.output;
}

TEST(Cosim, SmallCnnEndToEndAgreesWithTheTrainerAndNgspice) {
  const ScratchDirectory scratch;
  write_models(scratch.path(), "input 28 28 1");
  const std::size_t images = testing::workload<std::size_t>(200, 40);
  write_text(scratch.path() / "cosim.ini", config_text(images));
  const auto output = scratch.path() / "out";
  const auto run =
      run_command(cli + " cosim " + (scratch.path() / "cosim.ini").string() + " -o " +
                  output.string() + " --workers 2 --cache-dir " + testing::shared_neuron_cache());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("TPU-only classes equal to the trainer's int8 forward on " +
                            std::to_string(images) + " of " + std::to_string(images)),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("classes equal on 2 of 2"), std::string::npos) << run.output;
  // The files, as a user reads them.
  const auto read =
      run_command(std::string(IMCOSIM_PYTHON) + " -c \"import h5py, math; f = h5py.File('" +
                  (output / "cosim.h5").string() +
                  "', 'r'); assert f.attrs['format'] == 'imcosim-cosim'; "
                  "assert f.attrs['tpu_only_mismatches'] == 0; "
                  "c = f['spice_check']; assert c.attrs['max_difference_volt'] < 2e-3, "
                  "c.attrs['max_difference_volt']; assert c['spice_volt'].shape == (2, 10); "
                  "assert 0 < f.attrs['imac_latency_s'] < 1e-9, f.attrs['imac_latency_s']; "
                  "assert f.attrs['speedup'] > 1, f.attrs['speedup']; "
                  "assert 0 < f.attrs['weight_memory_reduction'] < 1; "
                  "names = set(f['accuracy']); "
                  "assert {'tpu-only_int8', 'tpu-imac_ideal_wires', 'tpu-imac_geometry_wires', "
                  "'tpu-imac_device_draw_0'} <= names, names; "
                  "assert f['accuracy/tpu-only_int8/predicted'].shape == (" +
                  std::to_string(images) +
                  ",); assert f['designs/tpu-only/layers'].shape == (3, 6); "
                  "assert 'seed = 1' in f.attrs['configuration']\"");
  EXPECT_EQ(read.exit_code, 0) << read.output;
  // The FC part as a network campaign: a Monte Carlo dataset over its devices.
  const auto sweep = (scratch.path() / "sweep.h5").string();
  const auto campaign =
      run_command(cli + " dataset " + (output / "fc-part/campaign.ini").string() + " -o " + sweep +
                  " --cache-dir " + testing::shared_neuron_cache());
  ASSERT_EQ(campaign.exit_code, 0) << campaign.output;
  const auto swept = run_command(
      std::string(IMCOSIM_PYTHON) + " -c \"import h5py; f = h5py.File('" + sweep +
      "', 'r'); p = f['predicted_class/fast']; assert p.shape == (" + std::to_string(images) +
      ", 1), p.shape; g = h5py.File('" + (output / "fc-part/inputs.h5").string() +
      "', 'r'); assert g['labels'].shape == (" + std::to_string(images) + ",)\"");
  EXPECT_EQ(swept.exit_code, 0) << swept.output;
  std::ifstream table(output / "table.md");
  const std::string markdown((std::istreambuf_iterator<char>(table)), {});
  EXPECT_NE(markdown.find("| latency per inference (us) |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("speedup"), std::string::npos) << markdown;
}

TEST(Cosim, BadConfigurationsExitTwoNamingTheKeyAndWriteNothing) {
  const ScratchDirectory scratch;
  write_models(scratch.path(), "input 28 28 1");
  const auto config = scratch.path() / "cosim.ini";
  const auto output = scratch.path() / "out";
  const auto expect_refused = [&](const std::string& text, const std::string& extra,
                                  const std::string& message) {
    write_text(config, text);
    const auto run = run_command(cli + " cosim " + config.string() + " -o " + output.string() +
                                 " --cache-dir " + testing::shared_neuron_cache() + extra);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find(message), std::string::npos) << run.output;
    EXPECT_FALSE(std::filesystem::exists(output));
  };
  const std::string good = config_text(8);
  expect_refused(good + "[spice]\nanalysys = op\n", "", "unrecognised option 'spice.analysys'");
  expect_refused(good, " --set tpu_imac.model=missing.h5", "--set tpu_imac.model");
  expect_refused(good, " --set tpu.dataflow=xy", "--set tpu.dataflow = 'xy' is unknown");
  expect_refused(good, " --set device.c2c_noise_percent=3", "c2c_noise_percent");
  expect_refused(good, " --set tpu_imac.model=" + (scratch.path() / "float.h5").string(),
                 "has no IMAC part");
  // A model that takes 32 x 32 images cannot classify Fashion-MNIST's 28 x 28.
  const ScratchDirectory other;
  write_models(other.path(), "input 32 32 1");
  expect_refused(good, " --set tpu_only.model=" + (other.path() / "float.h5").string(),
                 "takes 32x32x1");
  EXPECT_THROW((void)cosim::read_cosim_config(scratch.path() / "none.ini"), cosim::CosimError);
}

#ifdef IMCOSIM_MPIEXEC
// Every attribute (but the command line) and every dataset of two HDF5 files, compared exactly:
// empty when they are equal, else what differs.
std::string hdf5_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto compare =
      run_command(std::string(IMCOSIM_PYTHON) +
                  " -c \"import h5py, numpy as np, sys\n"
                  "a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')\n"
                  "def items(f):\n"
                  "    out = {'/@' + k: v for k, v in f.attrs.items() if k != 'command'}\n"
                  "    def visit(name, o):\n"
                  "        out.update({name + '@' + k: v for k, v in o.attrs.items()})\n"
                  "        if isinstance(o, h5py.Dataset): out[name] = o[()]\n"
                  "    f.visititems(visit)\n"
                  "    return out\n"
                  "x, y = items(a), items(b)\n"
                  "assert x.keys() == y.keys(), sorted(set(x) ^ set(y))\n"
                  "bad = [k for k in x if not np.array_equal(x[k], y[k], "
                  "equal_nan=np.asarray(x[k]).dtype.kind == 'f')]\n"
                  "assert not bad, bad\" " +
                  a.string() + " " + b.string());
  return compare.exit_code == 0 ? "" : compare.output;
}

std::string text_of(const std::filesystem::path& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), {}};
}

// mpirun -n 3 imcosim cosim: the ranks share the images in whole batches of 256 (none, 256 and
// 44 of 300) and the two ngspice checks and one latency transient (again none on rank 0), and
// the root, which computed nothing but the figures, writes the results of one process, to the
// last bit.
TEST(Cosim, ThreeMpiRanksWriteTheResultsOfOneProcess) {
  const ScratchDirectory scratch;
  write_models(scratch.path(), "input 28 28 1");
  write_text(scratch.path() / "cosim.ini", config_text(300));
  const std::string arguments = (scratch.path() / "cosim.ini").string() + " --cache-dir " +
                                testing::shared_neuron_cache() + " --workers 1 --threads 1 -o ";
  const auto one = run_command(cli + " cosim " + arguments + (scratch.path() / "one").string());
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto three = run_command(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
      "ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 " IMCOSIM_MPIEXEC " -n 3 --oversubscribe " +
      cli + " cosim " + arguments + (scratch.path() / "three").string());
  ASSERT_EQ(three.exit_code, 0) << three.output;
  EXPECT_NE(three.output.find("split over 3 MPI ranks: images 0 to 0 here"), std::string::npos)
      << three.output;
  EXPECT_EQ(three.output.find("wrote "), three.output.rfind("wrote ")) << "one summary";
  for (const char* file : {"cosim.h5", "fc-part/inputs.h5", "fc-part/model.h5"}) {
    EXPECT_EQ(hdf5_difference(scratch.path() / "one" / file, scratch.path() / "three" / file), "")
        << file;
  }
  for (const char* file : {"table.csv", "table.md", "layers.csv", "fc-part/campaign.ini"}) {
    EXPECT_EQ(text_of(scratch.path() / "one" / file), text_of(scratch.path() / "three" / file))
        << file;
  }
}

// A step that fails on one rank fails on every rank, at the end of that step: rank 0's neuron
// characterisation (an empty cache, 1 ms for each ngspice run) fails, and the ranks waiting for
// it stop too, naming it, instead of waiting for good. Nothing is written.
TEST(Cosim, AFailureOnOneRankStopsEveryRankAndWritesNothing) {
  const ScratchDirectory scratch;
  write_models(scratch.path(), "input 28 28 1");
  write_text(scratch.path() / "cosim.ini", config_text(300));
  const auto output = scratch.path() / "out";
  const auto run = run_command(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
      "ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 " IMCOSIM_MPIEXEC " -n 3 --oversubscribe " +
      cli + " cosim " + (scratch.path() / "cosim.ini").string() + " --cache-dir " +
      (scratch.path() / "empty-cache").string() + " --workers 1 --threads 1 --timeout 0.001 -o " +
      output.string());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("rank 0 of 3 failed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("rank(s) 0 of 3 failed (their messages above); nothing was written"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(std::filesystem::exists(output));
}
#endif

}  // namespace
}  // namespace imcosim
