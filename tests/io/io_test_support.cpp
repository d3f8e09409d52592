#include "io/io_test_support.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>

namespace imcosim::io::testing {

ScratchDirectory::ScratchDirectory() {
  std::random_device entropy;
  path_ = std::filesystem::temp_directory_path() /
          ("imcosim-io-test-" + std::to_string(entropy()) + std::to_string(entropy()));
  std::filesystem::create_directories(path_);
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> ScratchDirectory::entries() const {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(path_)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

PythonRun run_python(const std::string& script, const std::filesystem::path& argument) {
  static std::atomic<int> next_script{0};
  const std::filesystem::path script_path =
      argument.parent_path() / ("script" + std::to_string(next_script++) + ".py");
  std::ofstream(script_path) << script;
  const std::string command = std::string(IMCOSIM_PYTHON) + " '" + script_path.string() + "' '" +
                              argument.string() + "' 2>&1";
  FILE* const pipe = popen(command.c_str(), "r");
  PythonRun run{-1, {}};
  if (pipe == nullptr) {
    return run;
  }
  std::array<char, 4096> buffer{};
  std::size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    run.output.append(buffer.data(), count);
  }
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove(script_path);
  return run;
}

void expect_io_error(const std::function<void()>& action, ErrorKind kind,
                     std::initializer_list<std::string_view> fragments) {
  try {
    action();
    ADD_FAILURE() << "expected IoError, nothing was thrown";
  } catch (const IoError& error) {
    EXPECT_EQ(error.kind(), kind) << error.what();
    const std::string message = error.what();
    for (const std::string_view fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << "message lacks \"" << fragment << "\": " << message;
    }
  }
}

}  // namespace imcosim::io::testing
