// The imcosim executable: finds the subcommand, runs it, and maps exceptions to exit codes
// (0 success, 1 runtime failure, 2 bad usage or bad input). All work is in the library.
#include <algorithm>
#include <exception>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/signal_cleanup.hpp"
#include "imcosim/mpi/process_group.hpp"
#include "imcosim/spice/worker_pool.hpp"
#include "imcosim/version.hpp"
#include "run_output.hpp"

namespace {

constexpr int exit_runtime_failure = 1;
constexpr int exit_bad_input = 2;

void print_program_help(std::ostream& out) {
  out << "Usage: imcosim <command> [options]\n"
         "       imcosim <command> --help\n"
         "       imcosim --version\n\n"
         "Co-simulation of systolic-array TPUs and in-memory analog computing (IMAC).\n\n"
         "Commands:\n";
  for (const auto& command : imcosim::cli::commands()) {
    out << "  " << std::left << std::setw(12) << command.name << command.summary << '\n';
  }
}

int run(const std::vector<std::string>& words) {
  if (words.empty()) {
    print_program_help(std::cerr);
    return exit_bad_input;
  }
  const std::string& first = words.front();
  if (first == "--help" || first == "-h" || first == "help") {
    print_program_help(std::cout);
    return 0;
  }
  if (first == "--version") {
    std::cout << "imcosim " << imcosim::version_string << std::endl;
    // The library is loaded at run time, so its version and build are asked of a worker.
    imcosim::spice::WorkerPool pool(imcosim::spice::WorkerPoolOptions{});
    const auto ngspice = imcosim::spice::ngspice_info(pool);
    std::cout << "ngspice " << ngspice.version << " (shared library), KLU "
              << (ngspice.klu_compiled_in ? "compiled in" : "not compiled in")
              << "; matrix solver: " << imcosim::spice::linear_solver_name(ngspice.solver) << '\n';
    return 0;
  }
  const auto table = imcosim::cli::commands();
  const auto command = std::find_if(table.begin(), table.end(),
                                    [&](const auto& entry) { return first == entry.name; });
  if (command == table.end()) {
    throw imcosim::UsageError("unknown command '" + first + "' (see 'imcosim --help')");
  }
  if (const int processes = imcosim::mpi::launcher_world_size();
      processes > 1 && !command->splits_over_mpi_ranks) {
    std::string splitting;
    for (const auto& entry : table) {
      if (entry.splits_over_mpi_ranks) {
        splitting += std::string(splitting.empty() ? "" : ", ") + entry.name;
      }
    }
    throw imcosim::UsageError("imcosim " + first +
                              " runs in one process, and an MPI launcher started " +
                              std::to_string(processes) + "; of the commands only " + splitting +
                              " split over MPI ranks (docs/campaign.md, docs/cosim.md)");
  }
  return command->run({words.begin() + 1, words.end()});
}

}  // namespace

int main(int argc, char** argv) {
  // An interrupted run leaves no temporaries or lock files beside its outputs.
  imcosim::io::remove_registered_files_on_signals();
  int exit_code = 0;
  std::string error_text;
  try {
    exit_code = run({argv + 1, argv + argc});
  } catch (const imcosim::Error& error) {
    error_text = error.what();
    std::cerr << "imcosim: error: " << error_text << '\n';
    exit_code =
        error.kind() == imcosim::ErrorKind::bad_input ? exit_bad_input : exit_runtime_failure;
  } catch (const std::exception& error) {
    error_text = std::string("internal error: ") + error.what();
    std::cerr << "imcosim: " << error_text << '\n';
    exit_code = exit_runtime_failure;
  }
  imcosim::cli::finish_run_output(exit_code, error_text);
  return exit_code;
}
