#include "protocol.hpp"

#include <cstring>
#include <type_traits>
#include <utility>

#include "imcosim/spice/error.hpp"

namespace imcosim::spice::protocol {
namespace {

// Larger frames can only come from corruption; refusing them bounds the allocation.
constexpr std::uint64_t kMaxFrameBytes = std::uint64_t{1} << 32;

class Writer {
 public:
  template <typename Scalar>
  void scalar(Scalar value) {
    static_assert(std::is_trivially_copyable_v<Scalar>);
    const auto* first = reinterpret_cast<const std::byte*>(&value);
    bytes_.insert(bytes_.end(), first, first + sizeof(Scalar));
  }
  void string(const std::string& text) {
    scalar<std::uint64_t>(text.size());
    const auto* first = reinterpret_cast<const std::byte*>(text.data());
    bytes_.insert(bytes_.end(), first, first + text.size());
  }
  void strings(const std::vector<std::string>& texts) {
    scalar<std::uint64_t>(texts.size());
    for (const std::string& text : texts) {
      string(text);
    }
  }
  void doubles(const std::vector<double>& values) {
    scalar<std::uint64_t>(values.size());
    const auto* first = reinterpret_cast<const std::byte*>(values.data());
    bytes_.insert(bytes_.end(), first, first + values.size() * sizeof(double));
  }
  std::vector<std::byte> take() { return std::move(bytes_); }

 private:
  std::vector<std::byte> bytes_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> payload) : rest_(payload) {}

  template <typename Scalar>
  Scalar scalar() {
    static_assert(std::is_trivially_copyable_v<Scalar>);
    Scalar value{};
    std::memcpy(&value, take(sizeof(Scalar)).data(), sizeof(Scalar));
    return value;
  }
  std::string string() {
    const std::size_t length = list_size(1);
    const std::span<const std::byte> text = take(length);
    return std::string(reinterpret_cast<const char*>(text.data()), text.size());
  }
  std::vector<std::string> strings() {
    std::vector<std::string> texts(list_size(sizeof(std::uint64_t)));
    for (std::string& text : texts) {
      text = string();
    }
    return texts;
  }
  std::vector<double> doubles() {
    std::vector<double> values(list_size(sizeof(double)));
    const std::span<const std::byte> raw = take(values.size() * sizeof(double));
    std::memcpy(values.data(), raw.data(), raw.size());
    return values;
  }
  // An element count, checked against the bytes left so that corruption cannot allocate wildly.
  std::size_t list_size(std::size_t min_bytes_per_element) {
    const auto elements = scalar<std::uint64_t>();
    if (elements > rest_.size() / min_bytes_per_element) {
      fail("a count exceeds the message size");
    }
    return static_cast<std::size_t>(elements);
  }
  void expect_end() const {
    if (!rest_.empty()) {
      fail("trailing bytes");
    }
  }

 private:
  std::span<const std::byte> take(std::size_t size) {
    if (size > rest_.size()) {
      fail("truncated message");
    }
    const std::span<const std::byte> head = rest_.first(size);
    rest_ = rest_.subspan(size);
    return head;
  }
  [[noreturn]] static void fail(const std::string& what) {
    throw SpiceError(ErrorKind::runtime,
                     "malformed message between ngspice worker and parent: " + what);
  }

  std::span<const std::byte> rest_;
};

}  // namespace

std::vector<std::byte> encode_job(const SpiceJob& job) {
  Writer writer;
  writer.strings(job.netlist_lines);
  writer.strings(job.commands);
  writer.strings(job.vector_names);
  return writer.take();
}

SpiceJob decode_job(std::span<const std::byte> payload) {
  Reader reader(payload);
  SpiceJob job;
  job.netlist_lines = reader.strings();
  job.commands = reader.strings();
  job.vector_names = reader.strings();
  reader.expect_end();
  return job;
}

std::vector<std::byte> encode_reply(const Reply& reply) {
  Writer writer;
  writer.scalar(static_cast<std::uint8_t>(reply.status));
  writer.string(reply.summary);
  writer.strings(reply.stderr_lines);
  writer.strings(reply.result.messages);
  writer.scalar<std::uint64_t>(reply.result.vectors.size());
  for (const std::vector<double>& vector : reply.result.vectors) {
    writer.doubles(vector);
  }
  return writer.take();
}

Reply decode_reply(std::span<const std::byte> payload) {
  Reader reader(payload);
  Reply reply;
  const auto status = reader.scalar<std::uint8_t>();
  if (status > static_cast<std::uint8_t>(ReplyStatus::controlled_exit)) {
    throw SpiceError(ErrorKind::runtime,
                     "unknown reply status " + std::to_string(status) + " from ngspice worker");
  }
  reply.status = static_cast<ReplyStatus>(status);
  reply.summary = reader.string();
  reply.stderr_lines = reader.strings();
  reply.result.messages = reader.strings();
  reply.result.vectors.resize(reader.list_size(sizeof(std::uint64_t)));
  for (std::vector<double>& vector : reply.result.vectors) {
    vector = reader.doubles();
  }
  reader.expect_end();
  return reply;
}

posix::IoOutcome write_frame(int fd, std::span<const std::byte> payload) {
  const std::uint64_t length = payload.size();
  const posix::IoOutcome header_outcome =
      posix::write_all(fd, std::as_bytes(std::span(&length, 1)));
  if (header_outcome != posix::IoOutcome::done) {
    return header_outcome;
  }
  return posix::write_all(fd, payload);
}

FrameRead read_frame(int fd, std::optional<posix::Deadline> deadline) {
  FrameRead frame;
  std::uint64_t length = 0;
  frame.outcome = posix::read_exact(fd, std::as_writable_bytes(std::span(&length, 1)), deadline);
  if (frame.outcome != posix::IoOutcome::done) {
    return frame;
  }
  if (length > kMaxFrameBytes) {
    throw SpiceError(ErrorKind::runtime, "ngspice worker frame of " + std::to_string(length) +
                                             " bytes exceeds the limit");
  }
  frame.payload.resize(static_cast<std::size_t>(length));
  frame.outcome = posix::read_exact(fd, frame.payload, deadline);
  return frame;
}

}  // namespace imcosim::spice::protocol
