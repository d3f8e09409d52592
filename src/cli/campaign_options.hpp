#pragma once

#include <memory>

#include "command_line.hpp"
#include "imcosim/campaign/campaign.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::cli {

// The options of the commands that run a campaign: --threads for the fast back-ends, --workers
// and --timeout for ngspice.
void add_campaign_options(CommandSyntax& syntax);
[[nodiscard]] int thread_count(const po::variables_map& values);
// A worker pool when the campaign runs ngspice, otherwise none.
[[nodiscard]] std::unique_ptr<spice::WorkerPool> campaign_worker_pool(
    const campaign::Campaign& campaign, const po::variables_map& values);

}  // namespace imcosim::cli
