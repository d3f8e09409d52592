#include "nn_options.hpp"

#include <omp.h>

#include <algorithm>
#include <thread>

#include "imcosim/error.hpp"

namespace imcosim::cli {

void add_thread_option(CommandSyntax& syntax) {
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  syntax.options.add_options()("threads", po::value<int>()->default_value(static_cast<int>(cores)),
                               "threads computing (default: one per core); results do not "
                               "depend on it");
}

void apply_thread_option(const po::variables_map& values) {
  const int threads = values["threads"].as<int>();
  if (threads < 1) {
    throw UsageError("--threads must be at least 1, not " + std::to_string(threads));
  }
  omp_set_num_threads(threads);
}

nn::ImageDataset limit_images(nn::ImageDataset dataset, std::size_t count) {
  if (count == 0 || count >= dataset.size()) {
    return dataset;
  }
  return dataset.subset(0, count);
}

}  // namespace imcosim::cli
