#include "imcosim/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

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
    throw IoError(ErrorKind::runtime,
                  file.string() + ": cannot flush to disk: " + write_error_text(fsync_errno));
  }
}

// Writes all `size` bytes; returns 0, or the errno of the write that failed.
int write_all(int descriptor, const char* data, std::size_t size) {
  std::size_t written = 0;
  while (written < size) {
    const ssize_t count = ::write(descriptor, data + written, size - written);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      return count < 0 ? errno : ENOSPC;
    }
    written += static_cast<std::size_t>(count);
  }
  return 0;
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

void AtomicFile::copy_from(const std::filesystem::path& source) {
  // read(2) and write(2) themselves, so that a failure keeps its reason (std::filesystem's copy
  // reports a full disk as an input/output error).
  const int input = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (input < 0) {
    throw IoError(ErrorKind::runtime,
                  source.string() + ": cannot open to copy it: " + write_error_text(errno));
  }
  const int output =
      ::open(temporary_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (output < 0) {
    const int open_errno = errno;
    ::close(input);
    throw IoError(ErrorKind::runtime, path_.string() + ": cannot create " +
                                          temporary_path_.string() + ": " +
                                          write_error_text(open_errno));
  }
  std::vector<char> buffer(std::size_t{1} << 20);
  int failure = 0;
  while (failure == 0) {
    const ssize_t count = ::read(input, buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      failure = count < 0 ? errno : 0;
      break;
    }
    failure = write_all(output, buffer.data(), static_cast<std::size_t>(count));
  }
  ::close(input);
  if (::close(output) != 0 && failure == 0) {
    failure = errno;
  }
  if (failure != 0) {
    throw IoError(ErrorKind::runtime, path_.string() + ": cannot copy " + source.string() +
                                          " to extend it: " + write_error_text(failure));
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

std::string write_error_text(int error_number) {
  if (error_number == ENOSPC || error_number == EDQUOT) {
    return "the disk is full (no space left on the device)";
  }
  if (error_number == EFBIG) {
    return "the file size limit was reached (file too large)";
  }
  return std::generic_category().message(error_number);
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  AtomicFile file(path);
  // write(2) itself, so that a failure keeps its reason (a stream's does not).
  const int descriptor =
      ::open(file.temporary_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (descriptor < 0) {
    throw IoError(ErrorKind::runtime, path.string() + ": cannot create " +
                                          file.temporary_path().string() + ": " +
                                          write_error_text(errno));
  }
  if (const int failure = write_all(descriptor, text.data(), text.size()); failure != 0) {
    ::close(descriptor);
    throw IoError(ErrorKind::runtime,
                  path.string() + ": cannot write: " + write_error_text(failure));
  }
  if (::close(descriptor) != 0) {
    throw IoError(ErrorKind::runtime, path.string() + ": cannot write: " + write_error_text(errno));
  }
  file.commit();
}

}  // namespace imcosim::io
