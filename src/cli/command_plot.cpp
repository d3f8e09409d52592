// imcosim plot: pictures of result files, drawn by the Python package's module imcosim.plot
// (python/imcosim/plot.py) with Debian's matplotlib. This command only finds the package and
// runs the module; the kinds, their options and their checks are the module's.
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "imcosim/error.hpp"

extern char** environ;

namespace imcosim::cli {

namespace {

// Debian's interpreter, the one whose python3-matplotlib and python3-h5py packages are installed.
constexpr const char* python_path = "/usr/bin/python3";

// Where the package `imcosim` lies relative to the directory of the imcosim executable: the build
// tree assembles it in build/python beside build/bin (python/CMakeLists.txt); an installed prefix
// holds it in lib/python3/dist-packages beside bin.
const std::vector<std::filesystem::path> package_parents = {"../python",
                                                            "../lib/python3/dist-packages"};

std::filesystem::path package_directory() {
  std::error_code status;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", status);
  if (status) {
    throw Error(ErrorKind::runtime,
                "plot: cannot find the imcosim executable (/proc/self/exe): " + status.message());
  }
  std::string tried;
  for (const auto& parent : package_parents) {
    const auto directory = (executable.parent_path() / parent).lexically_normal();
    if (std::filesystem::is_regular_file(directory / "imcosim" / "plot.py", status)) {
      return directory;
    }
    tried += (tried.empty() ? "" : ", ") + directory.string();
  }
  throw Error(ErrorKind::runtime,
              "plot: the Python package imcosim (imcosim/plot.py) is in none of " + tried);
}

// This process's environment with PYTHONPATH led by `directory`, and the program name that the
// module's usage and messages show.
std::vector<std::string> plot_environment(const std::filesystem::path& directory) {
  std::vector<std::string> variables;
  std::string python_path_variable = "PYTHONPATH=" + directory.string();
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string variable(*entry);
    if (variable.starts_with("PYTHONPATH=")) {
      if (variable.size() > std::strlen("PYTHONPATH=")) {
        python_path_variable += ":" + variable.substr(std::strlen("PYTHONPATH="));
      }
    } else if (!variable.starts_with("IMCOSIM_PLOT_PROG=")) {
      variables.push_back(variable);
    }
  }
  variables.push_back(python_path_variable);
  variables.emplace_back("IMCOSIM_PLOT_PROG=imcosim plot");
  return variables;
}

std::vector<char*> pointers(std::vector<std::string>& words) {
  std::vector<char*> result;
  for (auto& word : words) {
    result.push_back(word.data());
  }
  result.push_back(nullptr);
  return result;
}

}  // namespace

// The arguments are not parsed with CommandSyntax: they are the module's (a kind, its inputs and
// options, --quiet and --json among them), which argparse declares and checks, so they pass
// through untouched and have one definition. The module's exit code is this command's.
int run_plot(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {python_path, "-m", "imcosim.plot"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto environment = plot_environment(package_directory());
  auto argv_pointers = pointers(argv);
  auto environment_pointers = pointers(environment);
  pid_t child = 0;
  if (const int error = posix_spawn(&child, python_path, nullptr, nullptr, argv_pointers.data(),
                                    environment_pointers.data());
      error != 0) {
    throw Error(ErrorKind::runtime,
                std::string("plot: cannot run ") + python_path + ": " + std::strerror(error));
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      throw Error(ErrorKind::runtime,
                  std::string("plot: waiting for ") + python_path + ": " + std::strerror(errno));
    }
  }
  if (WIFSIGNALED(status)) {
    throw Error(ErrorKind::runtime, std::string("plot: ") + python_path + " -m imcosim.plot " +
                                        "ended by signal " + std::to_string(WTERMSIG(status)));
  }
  return WEXITSTATUS(status);
}

}  // namespace imcosim::cli
