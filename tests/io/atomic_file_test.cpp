#include "imcosim/io/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "imcosim/io/output_lock.hpp"
#include "imcosim/io/signal_cleanup.hpp"
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

// A legal output name of 250 bytes still gets a temporary and a lock within the 255-byte
// limit, and two long names that share their start get different ones.
TEST(AtomicFile, LongOutputNamesGetShortTemporariesAndLocks) {
  const ScratchDirectory directory;
  const std::string long_name(246, 'a');
  {
    AtomicFile output(directory / (long_name + ".txt"));
    EXPECT_LE(output.temporary_path().filename().string().size(), 255U);
    const OutputLock lock(output.path());
    std::ofstream(output.temporary_path()) << "new";
    output.commit();
  }
  EXPECT_EQ(contents(directory / (long_name + ".txt")), "new");
  EXPECT_NE(hidden_sibling(directory / (long_name + "1.txt"), ".lock"),
            hidden_sibling(directory / (long_name + "2.txt"), ".lock"));
  EXPECT_EQ(hidden_sibling(directory / "out.h5", ".lock"), directory / ".out.h5.lock");
}

// SIGTERM, SIGINT and SIGHUP in the middle of a write remove the temporary and the lock file,
// leave the previous output as it was, and end the process by the signal.
TEST(AtomicFile, ATerminatingSignalRemovesTheTemporaryAndTheLock) {
  for (const int signal_number : {SIGTERM, SIGINT, SIGHUP}) {
    const ScratchDirectory directory;
    std::ofstream(directory / "out.txt") << "old";
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      remove_registered_files_on_signals();
      const OutputLock lock(directory / "out.txt");
      AtomicFile output(directory / "out.txt");
      std::ofstream(output.temporary_path()) << "half";
      std::raise(signal_number);
      _exit(0);  // not reached
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "signal " << signal_number;
    EXPECT_EQ(WTERMSIG(status), signal_number);
    EXPECT_EQ(directory.entries(), (std::vector<std::string>{"out.txt"}));
    EXPECT_EQ(contents(directory / "out.txt"), "old");
  }
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
