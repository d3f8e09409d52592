#pragma once

#include <filesystem>

#include "imcosim/io/signal_cleanup.hpp"

namespace imcosim::io {

// An exclusive claim on an output path for as long as the object lives, so that a second
// process writing the same file (a second `imcosim dataset ... -o same.h5`, which would
// interleave its blocks with the first's) is refused instead of corrupting it. The claim is an
// flock(2) on a hidden lock file beside the output, ".<name>.lock", removed when the claim ends;
// it is advisory and holds between imcosim processes on one machine (and on file systems with
// working flock). The lock file is found through the output's directory, so every spelling of
// that directory (./out.h5, dir/../out.h5) contends for the same claim.
class OutputLock {
 public:
  // Throws IoError (bad_input) when another process holds the claim or the lock file cannot be
  // created (no such directory, no permission).
  explicit OutputLock(const std::filesystem::path& output);
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&&) = delete;
  ~OutputLock();

 private:
  std::filesystem::path lock_path_;
  RegisteredFile registration_;  // the lock file is removed on SIGINT, SIGTERM and SIGHUP
  int descriptor_ = -1;
};

}  // namespace imcosim::io
