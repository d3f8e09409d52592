// The crash-isolating probe of an HDF5 file before it is opened (hdf5_probe.hpp). With hdf5.cpp
// and hdf5_metadata_walk.cpp the only translation units that include hdf5.h.
#include "hdf5_probe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hdf5_metadata_walk.hpp"
#include "imcosim/io/error.hpp"

namespace imcosim::io::hdf5 {

namespace {

// The probe's exit code when it ran to its end; anything else is a fault.
constexpr int probe_finished = 0;

std::atomic<double> probe_timeout_in_force{default_probe_timeout_seconds};

constexpr const char* probe_program_name = "imcosim-hdf5-probe";

// The probe program, where the build or the installation put it, or empty when it is nowhere to
// be found (a static library linked into a program of another project, installed elsewhere).
std::string find_probe_program() {
  std::vector<std::filesystem::path> candidates;
  std::error_code status;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", status);
  if (!status) {
    // An installed imcosim (bin/ and libexec/imcosim/, wherever the prefix went) or a program of
    // this build (every one is in the build's bin/).
    candidates.push_back(executable.parent_path() / "../libexec/imcosim" / probe_program_name);
    candidates.push_back(executable.parent_path() / probe_program_name);
  }
  candidates.emplace_back(IMCOSIM_HDF5_PROBE_INSTALLED);
  candidates.emplace_back(IMCOSIM_HDF5_PROBE_BUILT);
  for (const std::filesystem::path& candidate : candidates) {
    if (access(candidate.c_str(), X_OK) == 0) {
      return candidate.lexically_normal().string();
    }
  }
  return {};
}

const std::string& probe_program() {
  static const std::string found = find_probe_program();
  return found;
}

// Starts the probe program on `name`, its output dropped; nullopt when it could not start.
// posix_spawn execs in a child that shares no locks with this process's other threads.
std::optional<pid_t> spawn_probe_program(const std::string& name) {
  const std::string& program = probe_program();
  if (program.empty()) {
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  if (posix_spawn_file_actions_init(&actions) != 0) {
    return std::nullopt;
  }
  if (posix_spawnattr_init(&attributes) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return std::nullopt;
  }
  // Signals as a fresh program has them: none blocked (this process's threads may block some),
  // default actions for those that end a process.
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_actions;
  sigemptyset(&default_actions);
  for (const int signal_number :
       {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGPIPE, SIGINT, SIGTERM, SIGHUP}) {
    sigaddset(&default_actions, signal_number);
  }
  const bool prepared =
      posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0) == 0 &&
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) == 0 &&
      posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO) == 0 &&
      posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) == 0 &&
      posix_spawnattr_setsigmask(&attributes, &no_signals) == 0 &&
      posix_spawnattr_setsigdefault(&attributes, &default_actions) == 0;
  std::optional<pid_t> started;
  if (prepared) {
    std::string program_argument = program;
    std::string file_argument = name;
    std::array<char*, 3> arguments{program_argument.data(), file_argument.data(), nullptr};
    // This process's environment without the sanitizers' settings: the probe has its own.
    std::vector<char*> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      if (!text.starts_with("ASAN_OPTIONS=") && !text.starts_with("LSAN_OPTIONS=") &&
          !text.starts_with("UBSAN_OPTIONS=")) {
        environment.push_back(*entry);
      }
    }
    environment.push_back(nullptr);
    pid_t child = 0;
    if (posix_spawn(&child, program.c_str(), &actions, &attributes, arguments.data(),
                    environment.data()) == 0) {
      started = child;
    }
  }
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  return started;
}

// Without the probe program: a forked child walks the file. A fork copies only the forking
// thread, so a lock another thread held at that instant stays locked in the child (GCC 12's
// AddressSanitizer allocator is one such lock), which the time-out then reports as a hang.
pid_t fork_probe(const std::string& name) {
  const pid_t child = fork();
  if (child != 0) {
    return child;
  }
  restore_default_fault_actions();
  const int null_device = open("/dev/null", O_WRONLY);
  if (null_device >= 0) {
    dup2(null_device, STDOUT_FILENO);
    dup2(null_device, STDERR_FILENO);
  }
  walk_hdf5_metadata(name.c_str());
  // No exit handlers: they belong to the parent (flushing its streams and files twice).
  _exit(probe_finished);
}

// What makes a file the same file with the same contents, as far as stat tells.
struct FileIdentity {
  dev_t device;
  ino_t inode;
  off_t size;
  timespec modified;
  timespec changed;

  [[nodiscard]] bool operator==(const FileIdentity& other) const noexcept {
    return device == other.device && inode == other.inode && size == other.size &&
           modified.tv_sec == other.modified.tv_sec && modified.tv_nsec == other.modified.tv_nsec &&
           changed.tv_sec == other.changed.tv_sec && changed.tv_nsec == other.changed.tv_nsec;
  }
};

std::optional<FileIdentity> identity_of(const std::string& name) {
  struct stat status {};
  if (::stat(name.c_str(), &status) != 0) {
    return std::nullopt;
  }
  return FileIdentity{status.st_dev, status.st_ino, status.st_size, status.st_mtim, status.st_ctim};
}

// Every file probed in this process, as it was then, with the probe's verdict (empty: sound).
struct ProbedFile {
  FileIdentity identity;
  std::string failure;
};
std::mutex probed_mutex;
std::vector<ProbedFile> probed_files;

std::optional<std::string> earlier_verdict(const FileIdentity& identity) {
  const std::lock_guard lock(probed_mutex);
  const auto found =
      std::find_if(probed_files.begin(), probed_files.end(),
                   [&](const ProbedFile& file) { return file.identity == identity; });
  return found == probed_files.end() ? std::nullopt : std::optional(found->failure);
}

void remember_verdict(const FileIdentity& identity, const std::string& failure) {
  const std::lock_guard lock(probed_mutex);
  probed_files.push_back({identity, failure});
}

// Reaps the probe child into `status`; false when it is still running after the time-out. A
// pidfd wakes the wait the moment the child ends; without one (kernels before 5.3) the wait polls.
bool wait_for_probe(pid_t child, int& status) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(probe_timeout_seconds()));
  // Through syscall(): glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  const auto child_fd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  auto pause = std::chrono::microseconds(50);
  while (true) {
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child || (done < 0 && errno != EINTR)) {
      // Ended, or not ours to wait for (SIGCHLD ignored): nothing more is known.
      if (child_fd >= 0) {
        close(child_fd);
      }
      return true;
    }
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      if (child_fd >= 0) {
        close(child_fd);
      }
      return false;
    }
    if (child_fd >= 0) {
      pollfd readable{child_fd, POLLIN, 0};
      (void)poll(&readable, 1,
                 static_cast<int>(
                     std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1));
    } else {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(20000));
    }
  }
}

// Starts the probe of `name` and waits for it: what is wrong with the file, or empty when the
// probe ran to its end (or could not run at all).
std::string probe_verdict(const std::string& name) {
  const std::optional<pid_t> spawned = spawn_probe_program(name);
  const pid_t child = spawned ? *spawned : fork_probe(name);
  if (child < 0) {
    return {};  // no probe possible: the open below is then unguarded
  }
  int status = 0;
  if (!wait_for_probe(child, status)) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    return name + ": corrupt HDF5 file: the HDF5 library did not finish reading its metadata in " +
           std::to_string(static_cast<int>(probe_timeout_seconds())) + " s";
  }
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    const char* signal_name = strsignal(signal_number);
    return name + ": corrupt HDF5 file: the HDF5 library crashed reading it (" +
           (signal_name != nullptr ? signal_name : "signal") + ", signal " +
           std::to_string(signal_number) + ", in a probe process; this process did not open it)";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == probe_memory_fault_exit_code) {
    return name + ": corrupt HDF5 file: the HDF5 library read outside its memory reading it " +
           "(caught by AddressSanitizer in a probe process; this process did not open it)";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != probe_finished) {
    // A sanitizer's error report ends a process with an exit code.
    return name + ": corrupt HDF5 file: reading it failed in a probe process (exit code " +
           std::to_string(WEXITSTATUS(status)) + "); this process did not open it";
  }
  return {};
}

}  // namespace

double probe_timeout_seconds() { return probe_timeout_in_force.load(); }

void set_probe_timeout_seconds(double seconds) { probe_timeout_in_force.store(seconds); }

void probe_in_child_process(const std::string& name) {
  // A file probed before and unchanged since keeps its verdict: a command may open one file
  // several times (a CNN model file is read as an IMAC model too), and a file that hangs the
  // library costs the time-out once.
  const std::optional<FileIdentity> identity = identity_of(name);
  std::optional<std::string> failure = identity ? earlier_verdict(*identity) : std::nullopt;
  if (!failure) {
    failure = probe_verdict(name);
    if (identity) {
      remember_verdict(*identity, *failure);
    }
  }
  if (!failure->empty()) {
    throw IoError(ErrorKind::bad_input, *failure);
  }
}

}  // namespace imcosim::io::hdf5
