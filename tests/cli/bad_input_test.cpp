// Malformed problem files and bad options end with exit code 2 and a message naming the fault;
// no crash, and no output file is created or overwritten.
#include <gtest/gtest.h>

#include <fstream>

#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

struct Malformed {
  const char* name;
  const char* python;   // builds the file `p` with h5py `f`; numpy as np
  const char* message;  // must appear in imcosim's error
};

const char* const valid_file =
    "f['conductance'] = np.full((3, 2), 1e-4); f['inputs'] = np.zeros((4, 3)); "
    "f.attrs['r_row'] = 1.0; f.attrs['r_col'] = 1.0; f.attrs['r_source'] = 0.0; "
    "f.attrs['r_sense'] = 0.0; ";

// Writes the valid problem file at `path` with h5py, then applies `changes` (Python on `f`).
CommandOutcome write_problem(const std::string& path, const std::string& changes = "") {
  return run_python("-c \"import h5py, numpy as np; f = h5py.File('" + path + "', 'w'); " +
                    valid_file + changes + "\"");
}

class MalformedProblem : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedProblem, IsRejectedWithExitTwoNamingTheFaultAndWritesNothing) {
  const auto& bad = GetParam();
  const ScratchDirectory scratch;
  const auto problem = (scratch / "bad.h5").string();
  const auto written = write_problem(problem, bad.python);
  ASSERT_EQ(written.exit_code, 0) << written.output;
  for (const std::string command : {"solve", "spice", "netlist"}) {
    const auto output = scratch / ("out-" + command);
    const auto run = run_imcosim(command + " " + problem + " -o " + output.string());
    EXPECT_EQ(run.exit_code, 2) << command << ": " << run.output;
    EXPECT_NE(run.output.find(bad.message), std::string::npos) << command << ": " << run.output;
    EXPECT_NE(run.output.find("bad.h5"), std::string::npos) << run.output;
    EXPECT_FALSE(std::filesystem::exists(output)) << command;
  }
  // Nothing else may appear next to the output either (no temporary left behind).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Files, MalformedProblem,
    ::testing::Values(
        Malformed{"MissingConductance", "del f['conductance']", "/conductance"},
        Malformed{"MissingInputs", "del f['inputs']", "/inputs"},
        Malformed{"MissingAttribute", "del f.attrs['r_sense']", "r_sense"},
        Malformed{"RankOne", "del f['conductance']; f['conductance'] = np.ones(3)", "/conductance"},
        Malformed{"ShapeMismatch", "del f['inputs']; f['inputs'] = np.zeros((4, 2))", "/inputs"},
        Malformed{"NanConductance",
                  "del f['conductance']; f['conductance'] = np.array([[1e-4, np.nan]] * 3)",
                  "/conductance"},
        Malformed{"ZeroConductance",
                  "del f['conductance']; f['conductance'] = np.array([[1e-4, 0.0]] * 3)",
                  "/conductance"},
        Malformed{"InfiniteInput", "f['inputs'][1, 2] = np.inf", "/inputs"},
        Malformed{"NegativeResistance", "f.attrs['r_col'] = -2.0", "r_col"},
        Malformed{"StringAttribute", "f.attrs['r_row'] = 'ten'", "r_row"},
        Malformed{"StringDataset",
                  "del f['conductance']; f['conductance'] = np.array([[b'a', b'b']] * 3)",
                  "/conductance"}),
    [](const ::testing::TestParamInfo<Malformed>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(BadInput, MissingOrNonHdf5FilesAreBadInput) {
  const ScratchDirectory scratch;
  const auto missing = run_imcosim("solve " + (scratch / "nowhere.h5").string() + " -o " +
                                   (scratch / "out.h5").string());
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("nowhere.h5"), std::string::npos) << missing.output;
  const auto text = scratch / "text.h5";
  std::ofstream(text) << "this is not HDF5\n";
  const auto not_hdf5 =
      run_imcosim("solve " + text.string() + " -o " + (scratch / "out.h5").string());
  EXPECT_EQ(not_hdf5.exit_code, 2) << not_hdf5.output;
  EXPECT_NE(not_hdf5.output.find("text.h5"), std::string::npos) << not_hdf5.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "out.h5"));
}

TEST(BadInput, AFailedRunLeavesAnExistingOutputUntouched) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "p.h5").string();
  ASSERT_EQ(write_problem(problem, "f.attrs['r_row'] = -1.0").exit_code, 0);
  const auto output = scratch / "precious.h5";
  std::ofstream(output) << "precious";
  EXPECT_EQ(run_imcosim("solve " + problem + " -o " + output.string()).exit_code, 2);
  std::ifstream in(output);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "precious");
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(BadInput, AnOutputThatIsAnInputIsRefusedAndTheInputKept) {
  const ScratchDirectory scratch;
  const auto problem = scratch / "p.h5";
  ASSERT_EQ(write_problem(problem.string()).exit_code, 0);
  // The same file by another spelling and through a link: refused by device and inode.
  const auto link = scratch / "link.h5";
  std::filesystem::create_symlink(problem, link);
  const auto same = (scratch / "." / "p.h5").string();
  const std::string before = file_bytes(problem);
  for (const std::string& command :
       {"solve " + problem.string() + " -o " + same, "spice " + problem.string() + " -o " + same,
        "netlist " + link.string() + " -o " + problem.string(),
        "validate " + problem.string() + " -o " + link.string(),
        "merge " + problem.string() + " " + same + " -o " + link.string(),
        "imac fast " + problem.string() + " --inputs " + problem.string() + " -o " + same,
        "imac netlist " + problem.string() + " --inputs " + link.string() + " -o " + same,
        "train --init " + problem.string() + " -o " + link.string(),
        "nn topology " + problem.string() + " -o " + same}) {
    const auto run = run_imcosim(command);
    EXPECT_EQ(run.exit_code, 2) << command << ": " << run.output;
    EXPECT_NE(run.output.find("refusing to replace an input"), std::string::npos)
        << command << ": " << run.output;
    EXPECT_EQ(file_bytes(problem), before) << command;
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 2);
}

// An output name that cannot be a file is refused before anything runs (it used to fail only
// when the finished result was renamed, with a garbled message).
TEST(BadInput, AnOutputThatIsNoFileNameIsRefusedBeforeRunning) {
  const ScratchDirectory scratch;
  const auto problem = scratch / "p.h5";
  ASSERT_EQ(write_problem(problem.string()).exit_code, 0);
  for (const std::string& output : {std::string("''"), scratch.path().string() + "/"}) {
    const auto run = run_imcosim("solve " + problem.string() + " -o " + output);
    EXPECT_EQ(run.exit_code, 2) << output << ": " << run.output;
    EXPECT_NE(run.output.find("is not a file name"), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find("solved"), std::string::npos) << run.output;
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 1);
}

// Two mutated problem files on which Debian's libhdf5 1.10.8 itself segfaults (inside
// H5Aexists, decoding an attribute message), and one on which it reads past a buffer there
// (found by fuzz_hdf5_readers; it segfaulted the optimised imcosim after a probe whose fresh
// heap let the read pass) are refused by every reader with exit 2: the probe process crashes,
// or AddressSanitizer stops it, not imcosim. Nothing is written and the inputs stay as they were.
TEST(BadInput, AFileThatCrashesTheHdf5LibraryEndsWithExitTwo) {
  const ScratchDirectory scratch;
  for (const char* name : {"hdf5-segv-1.h5", "hdf5-segv-2.h5", "hdf5-overread-1.h5"}) {
    const auto corrupt = scratch / name;
    std::filesystem::copy_file(std::filesystem::path(IMCOSIM_SOURCE_DIR) / "tests/io/data" / name,
                               corrupt);
    const std::string before = file_bytes(corrupt);
    const std::string input = corrupt.string();
    const std::string output = (scratch / "out.h5").string();
    for (const std::string& command :
         {"solve " + input + " -o " + output, "spice " + input + " -o " + output,
          "validate " + input, "netlist " + input + " -o " + (scratch / "deck.cir").string(),
          "imac fast " + input + " --inputs " + input + " -o " + output,
          "nn evaluate " + input + " --backend float", "train --init " + input + " -o " + output,
          "merge " + input + " " + input + " -o " + output}) {
      const auto run = run_imcosim(command);
      EXPECT_EQ(run.exit_code, 2) << command << ": " << run.output;
      EXPECT_NE(run.output.find(input + ": corrupt HDF5 file"), std::string::npos)
          << command << ": " << run.output;
      EXPECT_EQ(file_bytes(corrupt), before) << command;
    }
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 1)
        << "only the corrupt file remains";
    std::filesystem::remove(corrupt);
  }
}

// A mutated campaign dataset (found by fuzz_hdf5_readers) on which libhdf5 1.10.8 loops for good
// reading a variable-length string attribute from a corrupt global heap: merge hung. The probe
// reads those attributes too, and a probe still busy after its time-out refuses the file.
TEST(BadInput, AFileThatHangsTheHdf5LibraryEndsWithExitTwo) {
  const ScratchDirectory scratch;
  const auto corrupt = scratch / "hang.h5";
  std::filesystem::copy_file(
      std::filesystem::path(IMCOSIM_SOURCE_DIR) / "tests/io/data/hdf5-hang-1.h5", corrupt);
  const std::string before = file_bytes(corrupt);
  const auto run =
      run_imcosim("merge " + corrupt.string() + " -o " + (scratch / "merged.h5").string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("hang.h5: corrupt HDF5 file: the HDF5 library did not finish"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(file_bytes(corrupt), before);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 1);
}

// A result that does not fit (the shell's file size limit fails writes as a full disk does)
// ends with exit 1 saying so, no crash, the previous result intact and no temporary left.
TEST(BadInput, AFailedWriteLeavesThePreviousResultIntact) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "p.h5").string();
  ASSERT_EQ(write_problem(problem, "del f['inputs']; f['inputs'] = np.ones((4000, 3))").exit_code,
            0);
  const auto output = scratch / "result.h5";
  ASSERT_EQ(run_imcosim("solve " + problem + " -o " + output.string()).exit_code, 0);
  const std::string before = file_bytes(output);
  const auto limited =
      run_command("trap '' XFSZ; ulimit -f " + std::to_string(before.size() / 2 / 512) + "; " +
                  IMCOSIM_CLI_PATH + " solve " + problem + " -o " + output.string());
  EXPECT_EQ(limited.exit_code, 1) << limited.output;
  EXPECT_NE(limited.output.find("file size limit was reached"), std::string::npos)
      << limited.output;
  EXPECT_EQ(file_bytes(output), before);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()), {}), 2);
}

TEST(BadInput, OutOfRangeOptionValuesAreBadUsage) {
  const ScratchDirectory scratch;
  const auto problem = (scratch / "p.h5").string();
  ASSERT_EQ(write_problem(problem).exit_code, 0);
  const auto sample = run_imcosim("netlist " + problem + " -o - --sample 4");
  EXPECT_EQ(sample.exit_code, 2);
  EXPECT_NE(sample.output.find("--sample 4 is out of range"), std::string::npos) << sample.output;
  const auto method = run_imcosim("solve " + problem + " -o x.h5 --method magic");
  EXPECT_EQ(method.exit_code, 2);
  EXPECT_NE(method.output.find("magic"), std::string::npos);
  const auto workers = run_imcosim("spice " + problem + " -o x.h5 --workers 0");
  EXPECT_EQ(workers.exit_code, 2);
  EXPECT_NE(workers.output.find("--workers"), std::string::npos);
}

}  // namespace
}  // namespace imcosim::testing
