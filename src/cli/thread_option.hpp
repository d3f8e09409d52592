#pragma once

#include <string>

#include "command_line.hpp"

namespace imcosim::cli {

// --threads, the one option for how many threads a command computes with, on every command that
// computes in parallel (OpenMP: solvers, the TPU model, networks; a campaign's sample threads).
// Default: one per core. Results never depend on it, so OMP_NUM_THREADS is not needed.
// `what` says what the threads do, for --help.
void add_thread_option(CommandSyntax& syntax,
                       const std::string& what = "threads computing (default: one per core)");
// Checks --threads and makes it OpenMP's thread count; returns it.
int apply_thread_option(const po::variables_map& values);

}  // namespace imcosim::cli
