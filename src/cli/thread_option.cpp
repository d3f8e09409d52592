#include "thread_option.hpp"

#include <omp.h>

#include <algorithm>
#include <thread>

#include "imcosim/error.hpp"

namespace imcosim::cli {

void add_thread_option(CommandSyntax& syntax, const std::string& what) {
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  syntax.options.add_options()("threads", po::value<int>()->default_value(static_cast<int>(cores)),
                               (what + "; results do not depend on it").c_str());
}

int apply_thread_option(const po::variables_map& values) {
  const int threads = values["threads"].as<int>();
  if (threads < 1) {
    throw UsageError("--threads must be at least 1, not " + std::to_string(threads));
  }
  omp_set_num_threads(threads);
  return threads;
}

}  // namespace imcosim::cli
