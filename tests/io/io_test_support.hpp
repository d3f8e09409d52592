#pragma once

// Helpers shared by the io tests: a scratch directory, Debian's python3 with h5py, and
// assertions on IoError.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "imcosim/io/error.hpp"

namespace imcosim::io::testing {

// A fresh directory removed with its contents when the test ends.
class ScratchDirectory {
 public:
  ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] std::filesystem::path operator/(std::string_view name) const {
    return path_ / name;
  }
  // Names of the entries in the directory, sorted.
  [[nodiscard]] std::vector<std::string> entries() const;

 private:
  std::filesystem::path path_;
};

struct PythonRun {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs `script` with IMCOSIM_PYTHON (python3 with numpy and h5py); `argument` is sys.argv[1].
PythonRun run_python(const std::string& script, const std::filesystem::path& argument);

// Expects `action` to throw IoError of `kind` whose message contains every one of `fragments`.
void expect_io_error(const std::function<void()>& action, ErrorKind kind,
                     std::initializer_list<std::string_view> fragments);

}  // namespace imcosim::io::testing
