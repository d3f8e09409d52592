#pragma once

#include <filesystem>
#include <string>

#include "imcosim/io/signal_cleanup.hpp"

namespace imcosim::io {

// Writes a file under a temporary name in the same directory and renames it over `path` on
// commit(); destroyed without commit() it removes the temporary. A failed run never leaves a
// half-written file at `path`, and an existing file there stays untouched until commit().
//
//   AtomicFile output(path);
//   write_everything_to(output.temporary_path());  // may throw: `path` is unchanged
//   output.commit();
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // Unique per process and object, so concurrent writers of the same `path` do not collide.
  [[nodiscard]] const std::filesystem::path& temporary_path() const noexcept {
    return temporary_path_;
  }

  // Starts the temporary as a copy of `source` (a file to extend: the copy is written, then
  // committed over it). Throws IoError (runtime) naming the reason when the copy fails, a full
  // disk or the file size limit among them.
  void copy_from(const std::filesystem::path& source);

  // Flushes the temporary to disk and renames it to `path`, replacing any file there.
  // Throws IoError (runtime) when the temporary does not exist or cannot be renamed.
  void commit();

 private:
  std::filesystem::path path_;
  std::filesystem::path temporary_path_;
  RegisteredFile registration_;  // the temporary is removed on SIGINT, SIGTERM and SIGHUP
  bool committed_ = false;
};

// Writes `text` to `path` through an AtomicFile. Throws IoError (runtime) on failure, saying when
// the disk is full or the file size limit was reached, leaving any earlier file at `path` as it
// was.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

// Why a write failed with `error_number`, as every writer says it: "the disk is full (no space
// left on the device)", "the file size limit was reached (file too large)", or the system's
// own text.
[[nodiscard]] std::string write_error_text(int error_number);

}  // namespace imcosim::io
