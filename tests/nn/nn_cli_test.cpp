// imcosim train and imcosim nn from the command line, as a user runs them: a short training run,
// its evaluation on two back-ends, the SCALE-Sim topology, and bad input (exit 2, the file and
// the entry named, nothing written).
#include <gtest/gtest.h>

#include <fstream>

#include "support/run_command.hpp"
#include "support/workload.hpp"

namespace imcosim {
namespace {

using testing::run_command;
using testing::ScratchDirectory;

const std::string cli = IMCOSIM_CLI_PATH;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(NnCli, TrainEvaluateAndTopology) {
  const ScratchDirectory scratch;
  const auto model = (scratch.path() / "lenet.h5").string();
  const auto trained = run_command(cli + " train --model lenet5 --epochs 1 --train-images " +
                                   std::to_string(testing::workload(512, 128)) +
                                   " --test-images 200 --threads 2 -o " + model);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("epoch   1"), std::string::npos) << trained.output;
  EXPECT_FALSE(std::filesystem::exists(model + ".checkpoint"));
  for (const std::string backend : {"float", "int8"}) {
    const auto evaluated =
        run_command(cli + " nn evaluate " + model + " --backend " + backend + " --test-images " +
                    std::to_string(testing::workload(200, 50)));
    ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
    EXPECT_NE(evaluated.output.find("on " + backend + ": accuracy"), std::string::npos);
    EXPECT_NE(evaluated.output.find("confusion"), std::string::npos);
  }
  // Both evaluations and the training log are in the file, readable with h5py.
  const auto read =
      run_command(std::string(IMCOSIM_PYTHON) + " -c \"import h5py; f = h5py.File('" + model +
                  "', 'r'); assert f.attrs['format'] == 'imcosim-cnn'; "
                  "assert 0 <= f['evaluation/int8'].attrs['accuracy'] <= 1; "
                  "assert f['evaluation/float/confusion'].shape == (10, 10); "
                  "assert f['training/log'].shape == (1, 6); "
                  "assert f['parameters/0/weight'].shape == (6, 25)\"");
  EXPECT_EQ(read.exit_code, 0) << read.output;
  const auto topology = (scratch.path() / "lenet.csv").string();
  const auto exported = run_command(cli + " nn topology " + model + " -o " + topology);
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  const auto timed = run_command(cli + " tpu -c " + std::string(IMCOSIM_SOURCE_DIR) +
                                 "/examples/tpu/scalesim_32x32_os.cfg -t " + topology + " -o " +
                                 (scratch.path() / "tpu").string());
  EXPECT_EQ(timed.exit_code, 0) << timed.output;
}

// kill -9 in the middle of a run, then the same command again: the resumed run ends with the
// same weights as an uninterrupted one.
TEST(NnCli, KilledTrainingResumesToTheSameWeights) {
  const ScratchDirectory scratch;
  const std::string common = cli + " train --model lenet5 --epochs 3 --train-images " +
                             std::to_string(testing::workload(1024, 256)) +
                             " --test-images 64 --augment-flip --threads 2 -o ";
  const auto whole = (scratch.path() / "whole.h5").string();
  ASSERT_EQ(run_command(common + whole).exit_code, 0);
  const auto killed = (scratch.path() / "killed.h5").string();
  // Start it, wait for the first checkpoint, kill it hard mid-epoch.
  const auto interrupted = run_command("(" + common + killed +
                                       " > /dev/null 2>&1 & pid=$!; "
                                       "while [ ! -e " +
                                       killed +
                                       ".checkpoint ]; do sleep 0.05; done; sleep 0.3; "
                                       "kill -9 $pid; wait $pid; echo killed)");
  ASSERT_NE(interrupted.output.find("killed"), std::string::npos) << interrupted.output;
  ASSERT_FALSE(std::filesystem::exists(killed));
  ASSERT_TRUE(std::filesystem::exists(killed + ".checkpoint"));
  const auto resumed = run_command(common + killed);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resumed after epoch"), std::string::npos) << resumed.output;
  const auto same = run_command(
      std::string(IMCOSIM_PYTHON) +
      " -c \"import h5py, numpy as np; "
      "a = h5py.File('" +
      whole + "', 'r')['parameters']; b = h5py.File('" + killed +
      "', 'r')['parameters']; "
      "assert all(np.array_equal(a[l][p][()], b[l][p][()]) for l in a for p in a[l])\"");
  EXPECT_EQ(same.exit_code, 0) << same.output;
}

void expect_bad_input(const std::string& command, const std::string& fragment) {
  const auto outcome = run_command(command);
  EXPECT_EQ(outcome.exit_code, 2) << command << "\n" << outcome.output;
  EXPECT_NE(outcome.output.find(fragment), std::string::npos) << outcome.output;
}

TEST(NnCli, BadInputExitsTwoNamingTheFileAndWritesNothing) {
  const ScratchDirectory scratch;
  const auto out = (scratch.path() / "out.h5").string();
  const auto architecture = scratch.path() / "arch.txt";
  write_text(architecture,
             "input 28 28 1\nconv2d filters=4 kernel=3\nflatten\nsplit\n"
             "dense units=10\nrelu\n");
  expect_bad_input(cli + " train --model " + architecture.string() + " -o " + out,
                   "arch.txt: layer 3 (relu) cannot run on IMAC");
  expect_bad_input(cli + " train --model nosuchnet -o " + out, "nosuchnet");
  const auto small = scratch.path() / "small.txt";
  write_text(small,
             "input 32 32 1\nconv2d filters=2 kernel=5\nflatten\nsplit\ndense units=10\n"
             "imac_sigmoid\n");
  expect_bad_input(cli + " train --model " + small.string() + " --epochs 1 -o " + out,
                   "images are 28x28x1 but the model");
  const auto images = (scratch.path() / "images.h5").string();
  const auto made = run_command(std::string(IMCOSIM_PYTHON) +
                                " -c \"import h5py, numpy as np; "
                                "f = h5py.File('" +
                                images +
                                "', 'w'); "
                                "f['images'] = np.zeros((4, 28, 28), np.uint8); "
                                "f['labels'] = np.array([0, 1, 2, 12])\"");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  expect_bad_input(cli + " train --model lenet5 --dataset " + images + " -o " + out, "images.h5");
  const auto not_a_model = (scratch.path() / "model.h5").string();
  ASSERT_EQ(run_command(std::string(IMCOSIM_PYTHON) + " -c \"import h5py; h5py.File('" +
                        not_a_model + "', 'w')['x'] = 1\"")
                .exit_code,
            0);
  expect_bad_input(cli + " nn evaluate " + not_a_model, "not a CNN model file");
  expect_bad_input(cli + " nn evaluate " + not_a_model + " --backend analog", "--backend");
  expect_bad_input(cli + " train --model lenet5 --precision int4 -o " + out, "--precision");
  expect_bad_input(cli + " train --model lenet5 --precision imac-ideal --wires spice -o " + out,
                   "--wires");
  expect_bad_input(cli + " train --model lenet5 --wires exact -o " + out,
                   "--wires exact needs --precision imac-ideal");
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace imcosim
