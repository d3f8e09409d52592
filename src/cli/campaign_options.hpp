#pragma once

#include <memory>

#include "command_line.hpp"
#include "imcosim/campaign/campaign.hpp"
#include "imcosim/spice/worker_pool.hpp"
#include "thread_option.hpp"

namespace imcosim::cli {

// The options of the commands that run a campaign: --threads for the fast back-ends, --workers
// and --timeout for ngspice, --cache-dir for a network's neuron characterisation.
void add_campaign_options(CommandSyntax& syntax);
// A worker pool when the campaign runs ngspice or characterises a network's neuron, otherwise
// none.
[[nodiscard]] std::unique_ptr<spice::WorkerPool> campaign_worker_pool(
    const campaign::CampaignConfig& config, const po::variables_map& values);
// Reads the configuration and builds the campaign with its ngspice workers (the pool must
// outlive the campaign).
struct CampaignRun {
  std::unique_ptr<spice::WorkerPool> pool;
  std::unique_ptr<campaign::Campaign> campaign;
};
[[nodiscard]] CampaignRun prepare_campaign(const po::variables_map& values);

}  // namespace imcosim::cli
