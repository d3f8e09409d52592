#include "imcosim/io/hdf5.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "io/io_test_support.hpp"

namespace imcosim::io::hdf5 {
namespace {

using testing::expect_io_error;
using testing::ScratchDirectory;

Eigen::MatrixXd counting_matrix(Eigen::Index rows, Eigen::Index cols, double offset = 0.0) {
  Eigen::MatrixXd values(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      values(i, j) = offset + static_cast<double>(10 * i + j);
    }
  }
  return values;
}

TEST(Hdf5, MatrixAndVectorRoundTripInRowMajorOrder) {
  const ScratchDirectory directory;
  const Eigen::MatrixXd matrix = counting_matrix(2, 3);
  const Eigen::VectorXd vector = Eigen::VectorXd::LinSpaced(5, -1.0, 1.0);
  {
    File file = File::create(directory / "a.h5");
    EXPECT_EQ(file.write_matrix("m", matrix).shape(), (Shape{2, 3}));
    file.write_vector("v", vector);
  }
  const File file = File::open_read_only(directory / "a.h5");
  const DataSet m = file.open_dataset("/m");
  EXPECT_EQ(m.value_class(), ValueClass::floating);
  EXPECT_EQ(m.read_matrix(), matrix);
  EXPECT_EQ(m.read_rows(1, 1), matrix.bottomRows(1));
  EXPECT_EQ(file.open_dataset("v").read_vector(), vector);
}

TEST(Hdf5, ChunkedCompressedDatasetRoundTrips) {
  const ScratchDirectory directory;
  const Eigen::MatrixXd matrix = counting_matrix(300, 7, 0.5);
  {
    File file = File::create(directory / "c.h5");
    file.create_group("samples").write_matrix("values", matrix,
                                              {.chunk_shape = {64, 100}, .deflate_level = 6});
  }
  const File file = File::open_read_only(directory / "c.h5");
  EXPECT_EQ(file.open_group("samples").open_dataset("values").read_matrix(), matrix);
}

TEST(Hdf5, ByteAndIntegerArraysOfAnyRankRoundTripInCOrder) {
  const ScratchDirectory directory;
  std::vector<std::uint8_t> bytes(2 * 3 * 4 * 5);
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    bytes[k] = static_cast<std::uint8_t>(k * 3);
  }
  const std::vector<std::int64_t> integers{-3, 0, std::int64_t{1} << 40};
  {
    File file = File::create(directory / "b.h5");
    EXPECT_EQ(file.write_uint8_array("bytes", {2, 3, 4, 5}, bytes,
                                     {.chunk_shape = {1, 3, 4, 5}, .deflate_level = 4})
                  .shape(),
              (Shape{2, 3, 4, 5}));
    file.write_int64_array("integers", {3}, integers);
    file.write_uint8_array("empty", {0, 2}, {});
    expect_io_error(
        [&] {
          file.write_uint8_array("short", {2, 2}, {1, 2, 3});
        },
        ErrorKind::runtime, {"b.h5:/short", "3 values", "[2][2]"});
  }
  const File file = File::open_read_only(directory / "b.h5");
  EXPECT_EQ(file.open_dataset("bytes").read_uint8_array(), bytes);
  EXPECT_EQ(file.open_dataset("bytes").value_class(), ValueClass::integer);
  EXPECT_EQ(file.open_dataset("integers").read_int64_array(), integers);
  EXPECT_TRUE(file.open_dataset("empty").read_uint8_array().empty());
  // uint8 widens to int64; wider integers are not narrowed to uint8, floats are not integers.
  EXPECT_EQ(file.open_dataset("bytes").read_int64_array().back(), std::int64_t{bytes.back()});
  expect_io_error([&] { static_cast<void>(file.open_dataset("integers").read_uint8_array()); },
                  ErrorKind::bad_input, {"b.h5:/integers", "holds int64", "expected uint8"});
}

TEST(Hdf5, FloatingPointIsNotReadAsIntegers) {
  const ScratchDirectory directory;
  File file = File::create(directory / "f.h5");
  file.write_vector("v", Eigen::VectorXd::Ones(2));
  expect_io_error([&] { static_cast<void>(file.open_dataset("v").read_int64_array()); },
                  ErrorKind::bad_input, {"f.h5:/v", "holds float64", "expected integers"});
  expect_io_error([&] { static_cast<void>(file.open_dataset("v").read_uint8_array()); },
                  ErrorKind::bad_input, {"f.h5:/v", "holds float64", "expected uint8"});
}

TEST(Hdf5, DeflateWithoutChunksIsRejected) {
  const ScratchDirectory directory;
  File file = File::create(directory / "d.h5");
  expect_io_error([&] { file.write_vector("v", Eigen::VectorXd::Ones(3), {.deflate_level = 4}); },
                  ErrorKind::runtime, {"d.h5:/v", "chunk shape"});
}

TEST(Hdf5, ExtendableMatrixGrowsAlongItsFirstAxis) {
  const ScratchDirectory directory;
  const Eigen::MatrixXd all_rows = counting_matrix(5, 4);
  {
    File file = File::create(directory / "e.h5");
    DataSet samples =
        file.create_extendable_matrix("samples", 4, {.chunk_shape = {2, 4}, .deflate_level = 1});
    EXPECT_EQ(samples.shape(), (Shape{0, 4}));
    samples.append_rows(all_rows.topRows(3));
    samples.append_rows(all_rows.bottomRows(2));
    expect_io_error([&] { samples.append_rows(Eigen::MatrixXd::Zero(1, 3)); }, ErrorKind::runtime,
                    {"e.h5:/samples", "3 columns", "[5][4]"});
  }
  File file = File::open_read_write(directory / "e.h5");
  DataSet samples = file.open_dataset("samples");
  EXPECT_EQ(samples.read_matrix(), all_rows);
  samples.append_rows(counting_matrix(1, 4, 100.0));
  EXPECT_EQ(samples.shape(), (Shape{6, 4}));
  EXPECT_EQ(samples.read_rows(4, 2).row(1), counting_matrix(1, 4, 100.0).row(0));
  expect_io_error([&] { static_cast<void>(samples.read_rows(5, 2)); }, ErrorKind::bad_input,
                  {"e.h5:/samples", "outside"});
}

TEST(Hdf5, ExtendableMatrixChoosesChunksOnItsOwn) {
  const ScratchDirectory directory;
  File file = File::create(directory / "f.h5");
  DataSet samples = file.create_extendable_matrix("samples", 3);
  samples.append_rows(counting_matrix(2, 3));
  EXPECT_EQ(samples.read_matrix(), counting_matrix(2, 3));
}

TEST(Hdf5, ScalarAttributesRoundTripOnFilesGroupsAndDataSets) {
  const ScratchDirectory directory;
  {
    File file = File::create(directory / "a.h5");
    file.write_double_attribute("r_row", 2.5);
    file.write_int64_attribute("seed", -1234567890123);
    file.write_string_attribute("note", "µ-crossbar");
    file.write_double_attribute("r_row", 3.5);  // replaces
    file.create_group("g").write_string_attribute("kind", "group");
    file.write_vector("v", Eigen::VectorXd::Ones(2)).write_int64_attribute("count", 2);
  }
  const File file = File::open_read_only(directory / "a.h5");
  EXPECT_EQ(file.read_double_attribute("r_row"), 3.5);
  EXPECT_EQ(file.read_int64_attribute("seed"), -1234567890123);
  EXPECT_EQ(file.read_double_attribute("seed"), -1234567890123.0);
  EXPECT_EQ(file.read_string_attribute("note"), "µ-crossbar");
  EXPECT_EQ(file.attribute_names(), (std::vector<std::string>{"note", "r_row", "seed"}));
  EXPECT_EQ(file.attribute_class("note"), ValueClass::string);
  EXPECT_EQ(file.attribute_class("seed"), ValueClass::integer);
  EXPECT_TRUE(file.has_attribute("seed"));
  EXPECT_FALSE(file.has_attribute("r_col"));
  EXPECT_EQ(file.open_group("g").read_string_attribute("kind"), "group");
  EXPECT_EQ(file.open_dataset("v").read_int64_attribute("count"), 2);
}

TEST(Hdf5, AttributeOfTheWrongKindNamesAttributeAndExpectation) {
  const ScratchDirectory directory;
  {
    File file = File::create(directory / "a.h5");
    file.write_string_attribute("r_row", "1.0");
    file.write_double_attribute("seed", 1.5);
  }
  const File file = File::open_read_only(directory / "a.h5");
  expect_io_error([&] { static_cast<void>(file.read_double_attribute("r_row")); },
                  ErrorKind::bad_input, {"a.h5:/", "attribute r_row", "strings", "scalar number"});
  expect_io_error([&] { static_cast<void>(file.read_int64_attribute("seed")); },
                  ErrorKind::bad_input, {"attribute seed", "floating-point", "scalar integer"});
  expect_io_error([&] { static_cast<void>(file.read_string_attribute("seed")); },
                  ErrorKind::bad_input, {"attribute seed", "a string"});
  expect_io_error([&] { static_cast<void>(file.read_double_attribute("absent")); },
                  ErrorKind::bad_input, {"attribute absent", "missing"});
}

TEST(Hdf5, ObjectKindWalksNestedPaths) {
  const ScratchDirectory directory;
  File file = File::create(directory / "k.h5");
  Group outer = file.create_group("outer");
  outer.create_group("inner").write_vector("values", Eigen::VectorXd::Ones(1));
  EXPECT_EQ(file.object_kind("/"), ObjectKind::group);
  EXPECT_EQ(file.object_kind("outer/inner"), ObjectKind::group);
  EXPECT_EQ(file.object_kind("/outer/inner/values"), ObjectKind::dataset);
  EXPECT_EQ(outer.object_kind("inner/values"), ObjectKind::dataset);
  EXPECT_EQ(file.object_kind("/missing/inner/values"), ObjectKind::missing);
  EXPECT_EQ(file.object_kind("outer/values"), ObjectKind::missing);
  EXPECT_TRUE(file.has_object("outer"));
  EXPECT_EQ(outer.open_group("inner").object_path(), "/outer/inner");
  expect_io_error([&] { static_cast<void>(file.open_dataset("outer")); }, ErrorKind::bad_input,
                  {"k.h5:/outer", "group"});
  expect_io_error([&] { static_cast<void>(file.open_dataset("outer/none")); }, ErrorKind::bad_input,
                  {"k.h5:/outer/none", "no such dataset"});
  expect_io_error([&] { static_cast<void>(file.open_group("outer/none")); }, ErrorKind::bad_input,
                  {"k.h5:/outer/none", "no such group"});
}

TEST(Hdf5, WrongRankIsRejectedWithTheShape) {
  const ScratchDirectory directory;
  File file = File::create(directory / "r.h5");
  file.write_vector("v", Eigen::VectorXd::Ones(4));
  file.write_matrix("m", Eigen::MatrixXd::Ones(2, 2));
  expect_io_error([&] { static_cast<void>(file.open_dataset("v").read_matrix()); },
                  ErrorKind::bad_input, {"r.h5:/v", "rank 1", "[4]", "expected rank 2"});
  expect_io_error([&] { static_cast<void>(file.open_dataset("m").read_vector()); },
                  ErrorKind::bad_input, {"r.h5:/m", "rank 2", "[2][2]", "expected rank 1"});
}

TEST(Hdf5, FailedCallsCarryHdf5ErrorStack) {
  const ScratchDirectory directory;
  File file = File::create(directory / "s.h5");
  file.write_vector("v", Eigen::VectorXd::Ones(1));
  expect_io_error([&] { file.write_vector("v", Eigen::VectorXd::Ones(1)); }, ErrorKind::runtime,
                  {"s.h5:/v", "cannot create the dataset", "HDF5: H5Dcreate2()"});
  expect_io_error([&] { static_cast<void>(File::create(directory / "no" / "such.h5")); },
                  ErrorKind::runtime, {"such.h5", "cannot create", "HDF5: H5Fcreate()"});
}

TEST(Hdf5, MissingOrForeignFilesAreBadInput) {
  const ScratchDirectory directory;
  expect_io_error([&] { static_cast<void>(File::open_read_only(directory / "missing.h5")); },
                  ErrorKind::bad_input, {"missing.h5", "does not exist"});
  std::ofstream(directory / "text.h5") << "not an HDF5 file at all\n";
  ::testing::internal::CaptureStderr();
  expect_io_error([&] { static_cast<void>(File::open_read_only(directory / "text.h5")); },
                  ErrorKind::bad_input, {"text.h5", "cannot open as an HDF5 file", "HDF5:"});
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "") << "the library must never print";
}

// Files are probed for crashes of the HDF5 library by a program of their own (posix_spawn), not
// by a fork of this process: a fork made while another thread held a lock of the allocator
// (GCC 12's AddressSanitizer does not guard its locks around fork) waited on it for good, and a
// sound file was refused as hanging the library. Each round writes a new file, so that none
// reuses an earlier verdict.
TEST(Hdf5, SoundFilesAreOpenedWhileOtherThreadsAllocate) {
  const ScratchDirectory directory;
  std::atomic<bool> stop{false};
  std::vector<std::thread> allocating;
  for (std::size_t thread = 0; thread < 2; ++thread) {
    allocating.emplace_back([&stop, thread] {
      for (std::size_t round = 0; !stop.load(); ++round) {
        std::vector<std::string> blocks(64, std::string(64 + (round * 7 + thread) % 4096, 'x'));
      }
    });
  }
  int opened = 0;
  for (int round = 0; round < 60; ++round) {
    const auto name = directory / ("sound-" + std::to_string(round) + ".h5");
    File::create(name).write_vector("v", Eigen::VectorXd::Constant(3, round));
    try {
      EXPECT_EQ(File::open_read_only(name).open_dataset("v").read_vector()(0), round);
      ++opened;
    } catch (const IoError& error) {
      ADD_FAILURE() << error.what();
      break;
    }
  }
  stop = true;
  for (std::thread& thread : allocating) {
    thread.join();
  }
  EXPECT_EQ(opened, 60);
}

TEST(Hdf5, HandlesAreMoveOnlyAndCloseOnce) {
  const ScratchDirectory directory;
  File first = File::create(directory / "h.h5");
  const Id id = first.id();
  File second = std::move(first);
  EXPECT_EQ(second.id(), id);
  second.write_double_attribute("x", 1.0);
  second.flush();
  Handle handle;
  EXPECT_EQ(handle.id(), -1);
  static_assert(!std::is_copy_constructible_v<File>);
  static_assert(!std::is_copy_constructible_v<Handle>);
}

TEST(Hdf5, ShapeTextUsesBracketNotation) {
  EXPECT_EQ(shape_text({3, 4}), "[3][4]");
  EXPECT_EQ(shape_text({}), "[] (scalar)");
}

}  // namespace
}  // namespace imcosim::io::hdf5
