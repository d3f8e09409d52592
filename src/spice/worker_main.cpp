#include "worker_main.hpp"

#include <unistd.h>

#include "ngspice_session.hpp"
#include "posix.hpp"
#include "protocol.hpp"

namespace imcosim::spice {
namespace {

// Returns when the parent closed the request pipe or after reporting a controlled exit.
void serve_jobs(NgspiceSession& session, int request_fd, int reply_fd) {
  while (true) {
    const protocol::FrameRead request = protocol::read_frame(request_fd, std::nullopt);
    if (request.outcome != posix::IoOutcome::done) {
      return;
    }
    const protocol::Reply reply = session.run(protocol::decode_job(request.payload));
    if (protocol::write_frame(reply_fd, protocol::encode_reply(reply)) != posix::IoOutcome::done ||
        reply.status == protocol::ReplyStatus::controlled_exit) {
      return;
    }
  }
}

}  // namespace

void run_worker(pid_t parent_pid, int request_fd, int reply_fd, WorkerSettings settings) noexcept {
  int exit_status = kWorkerExitStartFailed;
  try {
    posix::isolate_forked_worker(parent_pid, request_fd, reply_fd);
    posix::limit_address_space(settings.memory_limit_bytes);
    NgspiceSession session(settings.linear_solver);
    exit_status = kWorkerExitServingFailed;
    serve_jobs(session, request_fd, reply_fd);
    exit_status = 0;
  } catch (...) {
    // The parent learns of the failure from the exit status; the child has nowhere to print.
  }
  _exit(exit_status);
}

}  // namespace imcosim::spice
