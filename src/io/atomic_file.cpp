#include "imcosim/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>

#include "imcosim/io/error.hpp"

namespace imcosim::io {

namespace {

// ".<name>.tmp-<pid>-<n>": hidden, in the same directory (rename is atomic only within one file
// system), distinct for every AtomicFile of every process, and within the 255-byte name limit.
std::filesystem::path temporary_name_for(const std::filesystem::path& path) {
  static std::atomic<unsigned long> next_serial{0};
  return hidden_sibling(
      path, ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(next_serial.fetch_add(1)));
}

// The data must be on disk before the rename makes it visible under the final name, or a
// crash right after commit() could leave an empty file in place of the old one.
void flush_to_disk(const std::filesystem::path& file) {
  const int descriptor = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) {
    throw IoError(ErrorKind::runtime, file.string() + ": cannot open to flush it to disk: " +
                                          std::generic_category().message(errno));
  }
  const int status = ::fsync(descriptor);
  const int fsync_errno = errno;
  ::close(descriptor);
  if (status != 0) {
    throw IoError(ErrorKind::runtime, file.string() + ": cannot flush to disk: " +
                                          std::generic_category().message(fsync_errno));
  }
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path)
    : path_(std::move(path)),
      temporary_path_(temporary_name_for(path_)),
      registration_(temporary_path_) {}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temporary_path_, ignored);
  }
}

void AtomicFile::commit() {
  if (committed_) {
    throw IoError(ErrorKind::runtime, path_.string() + ": already committed");
  }
  std::error_code status;
  if (!std::filesystem::is_regular_file(temporary_path_, status)) {
    throw IoError(ErrorKind::runtime, path_.string() + ": nothing was written to the temporary " +
                                          temporary_path_.string() + " to commit");
  }
  flush_to_disk(temporary_path_);
  std::filesystem::rename(temporary_path_, path_, status);
  if (status) {
    throw IoError(ErrorKind::runtime, path_.string() + ": cannot replace with " +
                                          temporary_path_.string() + ": " + status.message());
  }
  registration_.release();
  committed_ = true;
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temporary_path(), std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      throw IoError(ErrorKind::runtime, path.string() + ": cannot write");
    }
  }
  file.commit();
}

}  // namespace imcosim::io
