#include "worker_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <string>
#include <utility>

#include "imcosim/memory_budget.hpp"
#include "imcosim/spice/error.hpp"
#include "protocol.hpp"
#include "worker_main.hpp"

namespace imcosim::spice {
namespace {

// Why a worker that ran out of memory may have done so; empty where no limit applies.
std::string memory_limit_note(std::uint64_t memory_limit_bytes) {
  if (memory_limit_bytes == 0 || !posix::address_space_limits_apply()) {
    return {};
  }
  return " (each worker may take " + byte_text(memory_limit_bytes) +
         " of address space, --worker-memory-gb; a deck that needs more ends this way)";
}

std::string explain_wait_status(int wait_status, std::uint64_t memory_limit_bytes) {
  std::string text = posix::describe_wait_status(wait_status);
  // SIGKILL is the parent's own (a time-out); an allocation that fails at the limit ends ngspice
  // by a fault or an abort.
  if (WIFSIGNALED(wait_status) && WTERMSIG(wait_status) != SIGKILL) {
    text += memory_limit_note(memory_limit_bytes);
  } else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == kWorkerExitStartFailed) {
    text += " (it could not initialise ngspice)";
  } else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == kWorkerExitServingFailed) {
    text += " (it could not read the job or send the reply)";
  }
  return text;
}

}  // namespace

std::unique_ptr<WorkerProcess> WorkerProcess::start(WorkerSettings settings) {
  const pid_t parent_pid = getpid();
  posix::Pipe requests = posix::make_pipe();
  posix::Pipe replies = posix::make_pipe();
  const pid_t pid = posix::fork_process();
  if (pid == 0) {
    run_worker(parent_pid, requests.read_end.get(), replies.write_end.get(), settings);
  }
  return std::unique_ptr<WorkerProcess>(new WorkerProcess(pid, std::move(requests.write_end),
                                                          std::move(replies.read_end),
                                                          settings.memory_limit_bytes));
}

WorkerProcess::WorkerProcess(pid_t pid, posix::FileDescriptor request_fd,
                             posix::FileDescriptor reply_fd, std::uint64_t memory_limit_bytes)
    : pid_(pid),
      request_fd_(std::move(request_fd)),
      reply_fd_(std::move(reply_fd)),
      memory_limit_bytes_(memory_limit_bytes) {}

WorkerProcess::~WorkerProcess() {
  if (alive_) {
    try {
      kill_and_reap();
    } catch (const SpiceError&) {
      // Only kill()/waitpid() on our own child can fail here, and a destructor cannot report it.
    }
  }
}

SpiceResult WorkerProcess::run(const SpiceJob& job, std::chrono::milliseconds timeout) {
  ++jobs_run_;
  // A worker whose conversation broke off (anything but ngspice rejecting the job) may have a
  // half-read reply in its pipe: it must not serve again.
  try {
    return exchange(job, timeout);
  } catch (const SpiceError& error) {
    if (alive_ && error.kind() == ErrorKind::runtime) {
      kill_and_reap();
    }
    throw;
  } catch (...) {
    if (alive_) {
      kill_and_reap();
    }
    throw;
  }
}

SpiceResult WorkerProcess::exchange(const SpiceJob& job, std::chrono::milliseconds timeout) {
  const posix::Deadline deadline = std::chrono::steady_clock::now() + timeout;
  if (protocol::write_frame(request_fd_.get(), protocol::encode_job(job)) !=
      posix::IoOutcome::done) {
    throw_died("before it received the job");
  }
  protocol::FrameRead frame = protocol::read_frame(reply_fd_.get(), deadline);
  if (frame.outcome == posix::IoOutcome::timed_out) {
    const int wait_status = kill_and_reap();
    throw SpiceError(ErrorKind::runtime, "ngspice worker " + std::to_string(pid_) +
                                             " exceeded the job time-out of " +
                                             std::to_string(timeout.count()) + " ms and was " +
                                             explain_wait_status(wait_status, memory_limit_bytes_));
  }
  if (frame.outcome == posix::IoOutcome::peer_closed) {
    throw_died("during the job");
  }
  protocol::Reply reply = protocol::decode_reply(frame.payload);
  switch (reply.status) {
    case protocol::ReplyStatus::ok:
      return std::move(reply.result);
    case protocol::ReplyStatus::ngspice_error:
      throw SpiceError(ErrorKind::bad_input, reply.summary, std::move(reply.stderr_lines));
    case protocol::ReplyStatus::controlled_exit: {
      const int wait_status = reap();
      // ngspice leaves through a controlled exit when an allocation fails, as it does at the
      // worker's memory limit: "malloc: can't allocate N bytes" (46 adds "Not enough memory").
      const bool out_of_memory = std::any_of(reply.stderr_lines.begin(), reply.stderr_lines.end(),
                                             [](const std::string& line) {
                                               return line.find("allocate") != std::string::npos ||
                                                      line.find("memory") != std::string::npos;
                                             });
      throw SpiceError(ErrorKind::runtime,
                       reply.summary + "; ngspice worker " + std::to_string(pid_) + " " +
                           explain_wait_status(wait_status, memory_limit_bytes_) +
                           (out_of_memory ? memory_limit_note(memory_limit_bytes_) : ""),
                       std::move(reply.stderr_lines));
    }
  }
  throw SpiceError(ErrorKind::runtime, "unhandled ngspice worker reply status");
}

void WorkerProcess::throw_died(const std::string& when) {
  const int wait_status = kill_and_reap();
  throw SpiceError(ErrorKind::runtime, "ngspice worker " + std::to_string(pid_) + " died " + when +
                                           ": " +
                                           explain_wait_status(wait_status, memory_limit_bytes_));
}

int WorkerProcess::kill_and_reap() {
  // The worker is not reaped yet, so its pid (and group id) cannot have been reused.
  alive_ = false;
  posix::kill_process_group(pid_);
  return reap();
}

int WorkerProcess::reap() {
  alive_ = false;
  const int wait_status = posix::wait_for_exit(pid_);
  request_fd_.reset();
  reply_fd_.reset();
  return wait_status;
}

}  // namespace imcosim::spice
