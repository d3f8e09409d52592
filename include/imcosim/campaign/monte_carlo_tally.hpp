#pragma once

#include <string>
#include <vector>

#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/statistics.hpp"

namespace imcosim::campaign {

// Statistics of one back-end over a campaign.
struct BackendStatistics {
  std::string name;  // "ideal", "solver", "ngspice", "nominal"
  // Per input vector: max_j |I[j] - I_nominal[j]| / max_j |I_nominal[j]| (solver::Agreement);
  // empty for the nominal circuit itself.
  Summary error_relative;
  Summary output_ampere;  // every output current of every input vector
};

// Accumulates the samples of a Monte Carlo campaign, block by block.
class MonteCarloTally {
 public:
  explicit MonteCarloTally(const Campaign& campaign);

  void add(const SampleBlock& block);

  // The tallies of processes that evaluated other samples (a campaign over MPI ranks):
  // append_numbers writes this tally as plain numbers; absorb_numbers reads one such record from
  // `numbers` at `at` (moved past it) and adds its values after this tally's, as if its samples
  // had been added here after this tally's own.
  void append_numbers(std::vector<double>& numbers) const;
  void absorb_numbers(const std::vector<double>& numbers, std::size_t& at);

  // One entry per back-end: nominal, then ideal and solver when enabled, then ngspice.
  [[nodiscard]] std::vector<BackendStatistics> statistics() const;
  // ngspice against the solver on the same devices and inputs (max relative, per input
  // vector); a count of 0 when the campaign runs no ngspice or no solver.
  [[nodiscard]] Summary spice_vs_solver() const;

 private:
  struct Values {
    std::string name;
    std::vector<double> errors;
    std::vector<double> outputs;
  };
  std::vector<Values> backends_;
  std::vector<double> spice_vs_solver_;
  bool runs_spice_;
};

}  // namespace imcosim::campaign
