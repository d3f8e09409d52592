#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

// Every POSIX call of the spice stage, wrapped once and checked; failures become SpiceError
// (runtime) naming the call and errno's text.
namespace imcosim::spice::posix {

using Deadline = std::chrono::steady_clock::time_point;

// Owns one file descriptor and closes it exactly once.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& other) noexcept;
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  [[nodiscard]] int get() const noexcept { return fd_; }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

struct Pipe {
  FileDescriptor read_end;
  FileDescriptor write_end;
};

// Both ends close-on-exec, so that shells started by ngspice's "shell" command hold no pipe.
Pipe make_pipe();

enum class IoOutcome { done, peer_closed, timed_out };

// Writes every byte. Returns peer_closed when the reader is gone (EPIPE). SIGPIPE is blocked in
// the calling thread for the duration of the write and a SIGPIPE raised by it is consumed, so
// the process's signal dispositions are left alone (a library must not change them).
IoOutcome write_all(int fd, std::span<const std::byte> bytes);

// Fills bytes completely. Returns peer_closed on end of file, timed_out when the deadline passes
// first; without a deadline it blocks.
IoOutcome read_exact(int fd, std::span<std::byte> bytes, std::optional<Deadline> deadline);

// fork() after flushing stdio; in the parent the child is already the leader of its own process
// group when this returns.
pid_t fork_process();

// SIGKILLs the worker's whole process group (the worker and any shell it started); a group that
// is already gone is not an error.
void kill_process_group(pid_t group_leader);

// Reaps the child and returns its wait status.
int wait_for_exit(pid_t pid);

// "exited with status 3", "killed by signal 9 (SIGKILL)".
std::string describe_wait_status(int wait_status);

// VmRSS from /proc/PID/status in bytes; nullopt when the process is gone.
std::optional<std::size_t> resident_bytes(pid_t pid);

// Child-side set-up of a freshly forked worker, in this order: own process group, SIGKILL on
// parent death (then checks the parent did not die before that took effect), default signal
// dispositions with nothing blocked, and every inherited descriptor closed except the two
// given, which stay close-on-exec.
void isolate_forked_worker(pid_t expected_parent_pid, int kept_fd_a, int kept_fd_b);

// Child-side: limits the process's address space (RLIMIT_AS) to `bytes`, so that a deck that
// allocates without end makes ngspice's allocations fail in this process instead of exhausting
// the machine; 0 sets no limit. Under AddressSanitizer, whose shadow memory alone reserves
// terabytes of address space, no limit is set either.
void limit_address_space(std::uint64_t bytes);

// Whether limit_address_space can take effect in this build.
[[nodiscard]] bool address_space_limits_apply() noexcept;

}  // namespace imcosim::spice::posix
