#include "imcosim/io/signal_cleanup.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace imcosim::io {

namespace {

constexpr std::size_t slot_count = 64;
constexpr std::size_t longest_path_bytes = 4096;
constexpr std::size_t longest_name_bytes = 255;  // NAME_MAX of Linux file systems

// A slot is free, being filled or being emptied (busy: the handler skips it), or holds a path.
enum SlotState : int { slot_free = 0, slot_busy = 1, slot_held = 2 };

struct Slot {
  std::atomic<int> state{slot_free};
  std::array<char, longest_path_bytes> path{};
};

std::array<Slot, slot_count>& slots() {
  static std::array<Slot, slot_count> table;
  return table;
}

std::atomic<pid_t> handling_process{0};

// Async-signal-safe: atomics, unlink, signal, raise.
extern "C" void remove_files_and_reraise(int signal_number) {
  if (::getpid() == handling_process.load()) {
    for (auto& slot : slots()) {
      if (slot.state.load() == slot_held) {
        ::unlink(slot.path.data());
      }
    }
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

void remove_registered_files_on_signals() {
  (void)slots();  // built before any handler can run
  handling_process.store(::getpid());
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction action {};
    action.sa_handler = remove_files_and_reraise;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, nullptr);
  }
}

void RegisteredFile::hold(const std::filesystem::path& path) noexcept {
  release();
  std::error_code failed;
  const std::string text = std::filesystem::absolute(path, failed).string();
  if (failed) {
    return;
  }
  if (text.size() >= longest_path_bytes) {
    return;
  }
  for (std::size_t s = 0; s < slot_count; ++s) {
    auto& slot = slots()[s];
    int expected = slot_free;
    if (slot.state.compare_exchange_strong(expected, slot_busy)) {
      std::memcpy(slot.path.data(), text.c_str(), text.size() + 1);
      slot.state.store(slot_held);
      slot_ = static_cast<int>(s);
      return;
    }
  }
}

RegisteredFile::RegisteredFile(RegisteredFile&& other) noexcept
    : slot_(std::exchange(other.slot_, -1)) {}

RegisteredFile::~RegisteredFile() { release(); }

void RegisteredFile::release() noexcept {
  if (slot_ >= 0) {
    slots()[static_cast<std::size_t>(slot_)].state.store(slot_free);
    slot_ = -1;
  }
}

std::filesystem::path hidden_sibling(const std::filesystem::path& path, const std::string& suffix) {
  std::string name = path.filename().string();
  const std::size_t room = longest_name_bytes - 1 - suffix.size();
  if (name.size() > room) {
    // The start of the name and a 64-bit FNV-1a hash of all of it: two long names that share
    // their start still get distinct siblings.
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : name) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string tail = "~";
    for (int shift = 60; shift >= 0; shift -= 4) {
      tail += digits[(hash >> shift) & 0xF];
    }
    name.resize(room - tail.size());
    name += tail;
  }
  return path.parent_path() / ("." + name + suffix);
}

}  // namespace imcosim::io
