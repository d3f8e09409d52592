#include "posix.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "imcosim/spice/error.hpp"

namespace imcosim::spice::posix {
namespace {

[[noreturn]] void throw_errno(const std::string& call, int error_number) {
  throw SpiceError(ErrorKind::runtime,
                   call + " failed: " + std::generic_category().message(error_number));
}

// Blocks SIGPIPE in the calling thread while alive; on destruction consumes a SIGPIPE that a
// write raised (unless one was already pending before) and restores the thread's mask.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&sigpipe_only_);
    sigaddset(&sigpipe_only_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    const int error_number = pthread_sigmask(SIG_BLOCK, &sigpipe_only_, &previous_mask_);
    if (error_number != 0) {
      throw_errno("pthread_sigmask", error_number);
    }
  }
  ~SigpipeBlock() {
    if (raised_ && !was_pending_) {
      const timespec no_wait{};
      while (sigtimedwait(&sigpipe_only_, nullptr, &no_wait) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

  void note_raised() noexcept { raised_ = true; }

 private:
  sigset_t sigpipe_only_{};
  sigset_t previous_mask_{};
  bool was_pending_ = false;
  bool raised_ = false;
};

// Milliseconds left for poll(); rounds up so that poll never returns just before the deadline.
int remaining_ms(Deadline deadline) {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

// Waits until fd is readable (or at end of file); false when the deadline passed first.
bool wait_readable(int fd, Deadline deadline) {
  while (true) {
    pollfd request{fd, POLLIN, 0};
    const int ready = poll(&request, 1, remaining_ms(deadline));
    if (ready > 0) {
      return true;
    }
    if (ready == 0) {
      return false;
    }
    if (errno != EINTR) {
      throw_errno("poll", errno);
    }
  }
}

}  // namespace

FileDescriptor::~FileDescriptor() { reset(); }

FileDescriptor::FileDescriptor(FileDescriptor&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void FileDescriptor::reset() noexcept {
  // close() may fail with EINTR but the descriptor is released regardless on Linux.
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

Pipe make_pipe() {
  int ends[2] = {-1, -1};
  if (pipe2(ends, O_CLOEXEC) != 0) {
    throw_errno("pipe2", errno);
  }
  return Pipe{FileDescriptor(ends[0]), FileDescriptor(ends[1])};
}

IoOutcome write_all(int fd, std::span<const std::byte> bytes) {
  SigpipeBlock sigpipe_block;
  while (!bytes.empty()) {
    const ssize_t written = write(fd, bytes.data(), bytes.size());
    if (written >= 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(written));
      continue;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EPIPE) {
      sigpipe_block.note_raised();
      return IoOutcome::peer_closed;
    }
    throw_errno("write", errno);
  }
  return IoOutcome::done;
}

IoOutcome read_exact(int fd, std::span<std::byte> bytes, std::optional<Deadline> deadline) {
  while (!bytes.empty()) {
    if (deadline && !wait_readable(fd, *deadline)) {
      return IoOutcome::timed_out;
    }
    const ssize_t got = read(fd, bytes.data(), bytes.size());
    if (got > 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0) {
      return IoOutcome::peer_closed;
    }
    if (errno != EINTR) {
      throw_errno("read", errno);
    }
  }
  return IoOutcome::done;
}

pid_t fork_process() {
  // The child would otherwise inherit, and later print again, whatever the parent's stdio
  // buffers hold (std::cout is synchronised with C stdio).
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    throw_errno("fork", errno);
  }
  // The child makes itself a group leader too, but only once it runs: until then a kill of the
  // group would find no group, and a worker timed out that early would live on while its
  // parent waits for it. Both sides call setpgid so that the group exists as fork returns.
  if (pid > 0 && setpgid(pid, pid) != 0 && errno != EACCES && errno != ESRCH) {
    throw_errno("setpgid", errno);
  }
  return pid;
}

void kill_process_group(pid_t group_leader) {
  if (kill(-group_leader, SIGKILL) != 0 && errno != ESRCH) {
    throw_errno("kill", errno);
  }
  // The leader itself as well, should it not lead its group (yet).
  if (kill(group_leader, SIGKILL) != 0 && errno != ESRCH) {
    throw_errno("kill", errno);
  }
}

int wait_for_exit(pid_t pid) {
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0) {
    if (errno != EINTR) {
      throw_errno("waitpid", errno);
    }
  }
  return wait_status;
}

std::string describe_wait_status(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    const int signal_number = WTERMSIG(wait_status);
    const char* abbreviation = sigabbrev_np(signal_number);
    return "killed by signal " + std::to_string(signal_number) + " (SIG" +
           (abbreviation != nullptr ? abbreviation : "?") + ")";
  }
  return "stopped with wait status " + std::to_string(wait_status);
}

std::optional<std::size_t> resident_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  constexpr std::string_view kKey = "VmRSS:";
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(kKey)) {
      // The kernel reports "VmRSS:	   12345 kB".
      const std::size_t kibibytes = std::stoull(line.substr(kKey.size()));
      return kibibytes * 1024;
    }
  }
  return std::nullopt;
}

bool address_space_limits_apply() noexcept {
#if defined(__SANITIZE_ADDRESS__)
  return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return false;
#else
  return true;
#endif
#else
  return true;
#endif
}

void limit_address_space(std::uint64_t bytes) {
  if (bytes == 0 || !address_space_limits_apply()) {
    return;
  }
  const rlimit limit{static_cast<rlim_t>(bytes), static_cast<rlim_t>(bytes)};
  if (setrlimit(RLIMIT_AS, &limit) != 0) {
    throw_errno("setrlimit(RLIMIT_AS)", errno);
  }
}

void isolate_forked_worker(pid_t expected_parent_pid, int kept_fd_a, int kept_fd_b) {
  if (setpgid(0, 0) != 0) {
    throw_errno("setpgid", errno);
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    throw_errno("prctl(PR_SET_PDEATHSIG)", errno);
  }
  if (getppid() != expected_parent_pid) {
    throw SpiceError(ErrorKind::runtime, "the parent of the ngspice worker died during its start");
  }

  sigset_t nothing_blocked;
  sigemptyset(&nothing_blocked);
  if (sigprocmask(SIG_SETMASK, &nothing_blocked, nullptr) != 0) {
    throw_errno("sigprocmask", errno);
  }
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
    // SIGKILL, SIGSTOP and the real-time signals reserved by glibc reject new actions.
    if (sigaction(signal_number, &default_action, nullptr) != 0 && errno != EINVAL) {
      throw_errno("sigaction", errno);
    }
  }

  const auto [low_fd, high_fd] = std::minmax(kept_fd_a, kept_fd_b);
  const auto close_between = [](int first, int last) {
    if (first <= last &&
        close_range(static_cast<unsigned>(first), static_cast<unsigned>(last), 0) != 0) {
      throw_errno("close_range", errno);
    }
  };
  constexpr int kFirstNonStandardFd = 3;
  close_between(kFirstNonStandardFd, low_fd - 1);
  close_between(low_fd + 1, high_fd - 1);
  if (close_range(static_cast<unsigned>(high_fd) + 1, ~0U, 0) != 0) {
    throw_errno("close_range", errno);
  }
}

}  // namespace imcosim::spice::posix
