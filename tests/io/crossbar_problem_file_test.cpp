#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <random>

#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/io/hdf5.hpp"
#include "io/io_test_support.hpp"

namespace imcosim::io {
namespace {

using testing::expect_io_error;
using testing::run_python;
using testing::ScratchDirectory;

// The pieces of a problem file, valid by default; each test breaks one.
struct ProblemParts {
  std::optional<Eigen::MatrixXd> conductance = Eigen::MatrixXd::Constant(3, 2, 1e-4);
  std::optional<Eigen::MatrixXd> inputs = Eigen::MatrixXd::Constant(4, 3, 0.2);
  std::map<std::string, double> attributes{
      {"r_row", 1.0}, {"r_col", 2.0}, {"r_source", 3.0}, {"r_sense", 4.0}};
  std::function<void(hdf5::File&)> extra = [](hdf5::File&) {};
};

void write_parts(const std::filesystem::path& path, const ProblemParts& parts) {
  hdf5::File file = hdf5::File::create(path);
  if (parts.conductance) {
    file.write_matrix("conductance", *parts.conductance);
  }
  if (parts.inputs) {
    file.write_matrix("inputs", *parts.inputs);
  }
  for (const auto& [name, value] : parts.attributes) {
    file.write_double_attribute(name, value);
  }
  parts.extra(file);
}

class CrossbarProblemFile : public ::testing::Test {
 protected:
  // Writes `parts` as p.h5 and expects reading it to fail naming the file and `fragments`.
  void expect_rejected(const ProblemParts& parts,
                       std::initializer_list<std::string_view> fragments) {
    write_parts(path_, parts);
    expect_io_error([&] { static_cast<void>(read_crossbar_problem(path_)); }, ErrorKind::bad_input,
                    {"p.h5"});
    expect_io_error([&] { static_cast<void>(read_crossbar_problem(path_)); }, ErrorKind::bad_input,
                    fragments);
  }

  ScratchDirectory directory_;
  std::filesystem::path path_ = directory_ / "p.h5";
};

TEST_F(CrossbarProblemFile, RoundTrips) {
  Eigen::MatrixXd conductance(2, 3);
  conductance << 1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4;
  Eigen::MatrixXd inputs(3, 2);
  inputs << 0.1, -0.2, 0.3, 0.0, -0.8, 0.8;
  const CrossbarProblem written{
      circuit::CrossbarTile(
          conductance,
          {.r_row_ohm = 11.55, .r_col_ohm = 9.24, .r_source_ohm = 0.0, .r_sense_ohm = 1e3}),
      inputs};
  write_crossbar_problem(path_, written);
  const CrossbarProblem read = read_crossbar_problem(path_);
  EXPECT_EQ(read.tile.conductance_siemens(), conductance);
  EXPECT_EQ(read.inputs_volt, inputs);
  EXPECT_EQ(read.tile.wires().r_row_ohm, 11.55);
  EXPECT_EQ(read.tile.wires().r_col_ohm, 9.24);
  EXPECT_EQ(read.tile.wires().r_source_ohm, 0.0);
  EXPECT_EQ(read.tile.wires().r_sense_ohm, 1e3);
  EXPECT_EQ(directory_.entries(), (std::vector<std::string>{"p.h5"}));
}

TEST_F(CrossbarProblemFile, WritingMismatchedInputsLeavesNoFile) {
  const CrossbarProblem problem{circuit::CrossbarTile(Eigen::MatrixXd::Constant(3, 2, 1e-4), {}),
                                Eigen::MatrixXd::Zero(2, 2)};
  expect_io_error([&] { write_crossbar_problem(path_, problem); }, ErrorKind::bad_input,
                  {"p.h5:/inputs", "[K][3]"});
  EXPECT_TRUE(directory_.entries().empty());
}

TEST_F(CrossbarProblemFile, MissingFileIsBadInput) {
  expect_io_error([&] { static_cast<void>(read_crossbar_problem(directory_ / "absent.h5")); },
                  ErrorKind::bad_input, {"absent.h5", "does not exist"});
}

TEST_F(CrossbarProblemFile, RandomBytesAreNotHdf5) {
  std::mt19937 generator(7);
  std::ofstream noise(path_, std::ios::binary);
  for (int byte = 0; byte < 4096; ++byte) {
    noise.put(static_cast<char>(generator() & 0xffU));
  }
  noise.close();
  expect_io_error([&] { static_cast<void>(read_crossbar_problem(path_)); }, ErrorKind::bad_input,
                  {"p.h5", "HDF5 file"});
}

TEST_F(CrossbarProblemFile, MissingDataSetsAreNamed) {
  expect_rejected({.conductance = std::nullopt}, {"/conductance", "missing", "[M][N]"});
  expect_rejected({.inputs = std::nullopt}, {"/inputs", "missing", "[K][M]"});
}

TEST_F(CrossbarProblemFile, DataSetThatIsAGroupIsRejected) {
  expect_rejected({.conductance = std::nullopt,
                   .extra = [](hdf5::File& file) { file.create_group("conductance"); }},
                  {"/conductance", "not a dataset"});
}

TEST_F(CrossbarProblemFile, WrongRankIsRejected) {
  const auto vector_named = [](const char* name) {
    return [name](hdf5::File& file) { file.write_vector(name, Eigen::VectorXd::Ones(3)); };
  };
  expect_rejected({.conductance = std::nullopt, .extra = vector_named("conductance")},
                  {"/conductance", "rank 1", "[3]", "[M][N]"});
  expect_rejected({.inputs = std::nullopt, .extra = vector_named("inputs")},
                  {"/inputs", "rank 1", "[K][M]"});
}

TEST_F(CrossbarProblemFile, InputsMustMatchTheTileRows) {
  expect_rejected({.inputs = Eigen::MatrixXd::Zero(4, 2)},
                  {"p.h5:/inputs", "[4][2]", "/conductance has shape [3][2]", "[K][3]"});
}

TEST_F(CrossbarProblemFile, EmptyDataSetsAreRejected) {
  expect_rejected({.conductance = Eigen::MatrixXd(0, 2)}, {"/conductance", "empty", "[0][2]"});
  expect_rejected({.inputs = Eigen::MatrixXd(0, 3)}, {"/inputs", "empty", "[0][3]"});
}

TEST_F(CrossbarProblemFile, NonFiniteValuesAreRejected) {
  Eigen::MatrixXd conductance = Eigen::MatrixXd::Constant(3, 2, 1e-4);
  conductance(1, 0) = std::numeric_limits<double>::quiet_NaN();
  expect_rejected({.conductance = conductance}, {"/conductance[1][0]", "conductance = nan"});
  Eigen::MatrixXd inputs = Eigen::MatrixXd::Zero(4, 3);
  inputs(3, 2) = std::numeric_limits<double>::infinity();
  expect_rejected({.inputs = inputs}, {"p.h5:/inputs[3][2]", "inputs = inf"});
}

TEST_F(CrossbarProblemFile, NonPositiveConductanceIsRejected) {
  Eigen::MatrixXd conductance = Eigen::MatrixXd::Constant(3, 2, 1e-4);
  conductance(0, 1) = 0.0;
  expect_rejected({.conductance = conductance}, {"/conductance[0][1]", ">= 1e-15 and <= 1000"});
  conductance(0, 1) = -1e-5;
  expect_rejected({.conductance = conductance}, {"/conductance[0][1]", ">= 1e-15 and <= 1000"});
}

TEST_F(CrossbarProblemFile, EveryMissingAttributeIsAnError) {
  for (const char* name : {"r_row", "r_col", "r_source", "r_sense"}) {
    ProblemParts parts;
    parts.attributes.erase(name);
    expect_rejected(parts, {std::string("attribute ") + name, "missing", "ohm", "no default"});
  }
}

TEST_F(CrossbarProblemFile, AttributeMustBeAScalarNumber) {
  ProblemParts parts;
  parts.attributes.erase("r_row");
  parts.extra = [](hdf5::File& file) { file.write_string_attribute("r_row", "10"); };
  expect_rejected(parts, {"attribute r_row", "strings", "scalar number"});
}

TEST_F(CrossbarProblemFile, NegativeOrNonFiniteResistanceIsRejected) {
  ProblemParts parts;
  parts.attributes["r_source"] = -1.0;
  expect_rejected(parts, {"attribute r_source", "r_source = -1", ">= 0"});
  parts.attributes["r_source"] = 1.0;
  parts.attributes["r_sense"] = std::numeric_limits<double>::quiet_NaN();
  expect_rejected(parts, {"attribute r_sense", "r_sense = nan"});
}

TEST_F(CrossbarProblemFile, ShapesAndTypesH5pyCanWriteAreRejected) {
  // What a user's h5py script can produce that the C++ writer cannot: array attributes,
  // string and compound datasets.
  const std::string script = R"(
import sys, h5py, numpy as np
case = sys.argv[1].rsplit('/', 1)[1].split('.')[0]
with h5py.File(sys.argv[1], 'w') as f:
    f['conductance'] = np.full((3, 2), 1e-4)
    f['inputs'] = np.zeros((4, 3))
    for name in ('r_row', 'r_col', 'r_source', 'r_sense'):
        f.attrs[name] = 1.0
    if case == 'array_attribute':
        f.attrs['r_col'] = [1.0, 2.0]
    elif case == 'string_dataset':
        del f['inputs']
        f['inputs'] = np.array([['a', 'b', 'c']], dtype=h5py.string_dtype())
    elif case == 'compound_dataset':
        del f['conductance']
        f['conductance'] = np.zeros((3, 2), dtype=[('g', 'f8'), ('v', 'f8')])
    elif case == 'bool_attribute':
        f.attrs['r_sense'] = True
)";
  const std::map<std::string, std::vector<std::string_view>> expectations{
      {"array_attribute", {"attribute r_col", "shape [2]", "scalar number"}},
      {"string_dataset", {"/inputs", "strings", "expected numbers"}},
      {"compound_dataset", {"/conductance", "compound"}},
      {"bool_attribute", {"attribute r_sense", "enumeration"}},
  };
  for (const auto& [name, fragments] : expectations) {
    const std::filesystem::path path = directory_ / (name + ".h5");
    const testing::PythonRun run = run_python(script, path);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    try {
      static_cast<void>(read_crossbar_problem(path));
      ADD_FAILURE() << name << " was accepted";
    } catch (const IoError& error) {
      EXPECT_EQ(error.kind(), ErrorKind::bad_input);
      const std::string message = error.what();
      EXPECT_NE(message.find(name + ".h5"), std::string::npos) << message;
      for (const std::string_view fragment : fragments) {
        EXPECT_NE(message.find(fragment), std::string::npos) << fragment << ": " << message;
      }
    }
  }
}

}  // namespace
}  // namespace imcosim::io
