#include "campaign_options.hpp"

#include <algorithm>
#include <thread>

#include "imcosim/error.hpp"
#include "neuron_cache_option.hpp"
#include "spice_options.hpp"

namespace imcosim::cli {

void add_campaign_options(CommandSyntax& syntax) {
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  // --workers and --timeout as every ngspice command has them (worker_pool_options reads them);
  // no --samples-per-run: each ngspice job here is one read of one sample.
  add_thread_option(syntax,
                    "threads evaluating samples with the fast back-ends (default: one per core)");
  syntax.options.add_options()(
      "workers", po::value<int>()->default_value(static_cast<int>(cores)),
      "ngspice worker processes run in parallel (default: one per core); results do not depend "
      "on it")("timeout", po::value<double>()->default_value(600.0),
               "seconds one ngspice run may take before its worker is killed");
  add_worker_memory_option(syntax);
  add_spice_solver_option(syntax);
  add_neuron_cache_option(syntax);
}

std::unique_ptr<spice::WorkerPool> campaign_worker_pool(const campaign::CampaignConfig& config,
                                                        const po::variables_map& values) {
  const auto options = worker_pool_options(values);
  if (config.spice_every == 0 && !config.network) {
    return nullptr;
  }
  return std::make_unique<spice::WorkerPool>(options);
}

CampaignRun prepare_campaign(const po::variables_map& values) {
  auto config = campaign::read_campaign_config(values["config"].as<std::string>());
  CampaignRun run;
  run.pool = campaign_worker_pool(config, values);
  run.campaign = std::make_unique<campaign::Campaign>(
      std::move(config),
      campaign::NetworkResources{run.pool.get(), neuron_cache_directory(values)});
  return run;
}

}  // namespace imcosim::cli
