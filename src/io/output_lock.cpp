#include "imcosim/io/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

#include "imcosim/io/error.hpp"

namespace imcosim::io {

namespace {

std::string system_message(int error_number) {
  return std::generic_category().message(error_number);
}

// Whether `descriptor` is still the file at `path`: a holder unlinks the lock file when it
// ends, so a lock taken on a file that has been unlinked (or replaced) in the meantime claims
// nothing, and the claim starts over on the file now there.
bool still_at(int descriptor, const std::filesystem::path& path) {
  struct stat held {};
  struct stat named {};
  return ::fstat(descriptor, &held) == 0 && ::stat(path.c_str(), &named) == 0 &&
         held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

}  // namespace

OutputLock::OutputLock(const std::filesystem::path& output)
    : lock_path_(hidden_sibling(output, ".lock")) {
  for (;;) {
    const int descriptor = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (descriptor < 0) {
      // A directory that does not exist or cannot be written: the user's to fix.
      throw IoError(ErrorKind::bad_input, output.string() + ": cannot create the lock file " +
                                              lock_path_.string() + ": " + system_message(errno));
    }
    if (::flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
      const int error_number = errno;
      ::close(descriptor);
      if (error_number == EWOULDBLOCK) {
        throw IoError(ErrorKind::bad_input,
                      output.string() +
                          ": another process is writing this file (it holds the lock " +
                          lock_path_.string() + "); wait for it to end or write elsewhere");
      }
      throw IoError(ErrorKind::runtime, output.string() + ": cannot lock " + lock_path_.string() +
                                            ": " + system_message(error_number));
    }
    if (still_at(descriptor, lock_path_)) {
      descriptor_ = descriptor;
      registration_.hold(lock_path_);  // only a lock of ours is removed on a signal
      return;
    }
    ::close(descriptor);
  }
}

OutputLock::OutputLock(OutputLock&& other) noexcept
    : lock_path_(std::move(other.lock_path_)),
      registration_(std::move(other.registration_)),
      descriptor_(std::exchange(other.descriptor_, -1)) {}

OutputLock::~OutputLock() {
  if (descriptor_ >= 0) {
    // Unlinked while still held, so no other process can lock this file and then find it gone
    // without noticing (still_at).
    std::error_code ignored;
    std::filesystem::remove(lock_path_, ignored);
    ::close(descriptor_);
  }
}

}  // namespace imcosim::io
