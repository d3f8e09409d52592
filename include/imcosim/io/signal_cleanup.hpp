#pragma once

#include <filesystem>

namespace imcosim::io {

// Files a run creates beside its outputs and must not leave behind (the temporaries of
// AtomicFile, the lock files of OutputLock) are registered here while they exist. After
// remove_registered_files_on_signals(), SIGINT, SIGTERM and SIGHUP unlink every registered file
// and then end the process by the same signal, as it would have ended without the handler; the
// outputs themselves are untouched (they are only ever replaced by a complete file). Forked
// children (ngspice workers, probes) keep the default action.
void remove_registered_files_on_signals();

// A registration, held for as long as the file may exist. At most 64 are held at once; a
// registration beyond that is not kept (the file is then left behind on a signal, as before).
class RegisteredFile {
 public:
  RegisteredFile() noexcept = default;  // nothing registered yet (see hold)
  explicit RegisteredFile(const std::filesystem::path& path) noexcept { hold(path); }
  RegisteredFile(const RegisteredFile&) = delete;
  RegisteredFile& operator=(const RegisteredFile&) = delete;
  RegisteredFile(RegisteredFile&& other) noexcept;
  RegisteredFile& operator=(RegisteredFile&&) = delete;
  ~RegisteredFile();

  // Registers `path` (after release() of anything held before).
  void hold(const std::filesystem::path& path) noexcept;
  // Ends the registration early (the file was renamed into place or removed).
  void release() noexcept;

 private:
  int slot_ = -1;
};

// A hidden file beside `path`: ".<name><suffix>", with <name> shortened so that the whole name
// fits the file system's 255-byte limit (a legal 250-byte output name still gets its
// temporaries and lock).
std::filesystem::path hidden_sibling(const std::filesystem::path& path, const std::string& suffix);

}  // namespace imcosim::io
