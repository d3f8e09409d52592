#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "imcosim/spice/spice_job.hpp"
#include "posix.hpp"

// The parent-worker wire format. Each message is one frame: a uint64 payload length, then the
// payload. Both ends are the same executable image on the same machine (fork without exec), so
// integers and doubles travel in native byte order. Strings are a uint64 length plus bytes;
// lists are a uint64 count plus elements.
namespace imcosim::spice::protocol {

enum class ReplyStatus : std::uint8_t {
  ok = 0,
  ngspice_error = 1,    // the job failed; the worker is still usable
  controlled_exit = 2,  // ngspice asked to be unloaded; the worker exits after this reply
};

struct Reply {
  ReplyStatus status = ReplyStatus::ok;
  std::string summary;                    // why the job failed, empty on success
  std::vector<std::string> stderr_lines;  // ngspice's stderr lines of the job
  SpiceResult result;
};

std::vector<std::byte> encode_job(const SpiceJob& job);
SpiceJob decode_job(std::span<const std::byte> payload);

std::vector<std::byte> encode_reply(const Reply& reply);
Reply decode_reply(std::span<const std::byte> payload);

posix::IoOutcome write_frame(int fd, std::span<const std::byte> payload);

struct FrameRead {
  posix::IoOutcome outcome = posix::IoOutcome::done;
  std::vector<std::byte> payload;  // valid when outcome is done
};

// Without a deadline it blocks until a whole frame or end of file arrives.
FrameRead read_frame(int fd, std::optional<posix::Deadline> deadline);

}  // namespace imcosim::spice::protocol
