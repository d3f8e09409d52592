#include "imcosim/io/atomic_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "io/io_test_support.hpp"

namespace imcosim::io {
namespace {

using testing::expect_io_error;
using testing::ScratchDirectory;

std::string contents(const std::filesystem::path& path) {
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

TEST(AtomicFile, TemporaryLivesBesideTheTargetUnderAnotherName) {
  const ScratchDirectory directory;
  const AtomicFile first(directory / "out.h5");
  const AtomicFile second(directory / "out.h5");
  EXPECT_EQ(first.temporary_path().parent_path(), directory.path());
  EXPECT_NE(first.temporary_path(), first.path());
  EXPECT_NE(first.temporary_path(), second.temporary_path());
}

TEST(AtomicFile, CommitMovesTheTemporaryIntoPlace) {
  const ScratchDirectory directory;
  {
    AtomicFile output(directory / "out.txt");
    std::ofstream(output.temporary_path()) << "new";
    output.commit();
  }
  EXPECT_EQ(contents(directory / "out.txt"), "new");
  EXPECT_EQ(directory.entries(), (std::vector<std::string>{"out.txt"}));
}

TEST(AtomicFile, FailureBeforeCommitLeavesNoFile) {
  const ScratchDirectory directory;
  EXPECT_THROW(
      {
        AtomicFile output(directory / "out.txt");
        std::ofstream(output.temporary_path()) << "half";
        throw std::runtime_error("the run failed");
      },
      std::runtime_error);
  EXPECT_TRUE(directory.entries().empty());
}

TEST(AtomicFile, ExistingFileIsReplacedOnlyOnCommit) {
  const ScratchDirectory directory;
  std::ofstream(directory / "out.txt") << "old";
  {
    AtomicFile abandoned(directory / "out.txt");
    std::ofstream(abandoned.temporary_path()) << "abandoned";
  }
  EXPECT_EQ(contents(directory / "out.txt"), "old");
  AtomicFile output(directory / "out.txt");
  std::ofstream(output.temporary_path()) << "new";
  EXPECT_EQ(contents(directory / "out.txt"), "old");
  output.commit();
  EXPECT_EQ(contents(directory / "out.txt"), "new");
  EXPECT_EQ(directory.entries(), (std::vector<std::string>{"out.txt"}));
}

TEST(AtomicFile, CommitWithoutATemporaryIsAnError) {
  const ScratchDirectory directory;
  AtomicFile output(directory / "out.txt");
  expect_io_error([&] { output.commit(); }, ErrorKind::runtime, {"out.txt", "nothing was written"});
  EXPECT_TRUE(directory.entries().empty());
}

}  // namespace
}  // namespace imcosim::io
