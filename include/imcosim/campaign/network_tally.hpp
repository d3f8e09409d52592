#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/statistics.hpp"

namespace imcosim::campaign {

// Statistics of one back-end over a network campaign.
struct NetworkBackendStatistics {
  std::string name;  // "nominal", "fast", "ngspice"
  // Per input vector: max_j |V[j] - V_nominal[j]| (volts); empty for the nominal network itself.
  Summary error_volt;
  // Input vectors whose predicted class differs from the nominal network's, and of how many.
  std::int64_t class_flips = 0;
  std::int64_t vectors = 0;
  // With labelled inputs: input vectors whose predicted class is their label, of how many
  // (the accuracy under the campaign's variation; labelled = 0 without labels).
  std::int64_t correct = 0;
  std::int64_t labelled = 0;
  Summary output_volt;  // every output voltage of every input vector
  Summary power_watt;   // per input vector
};

// Accumulates the samples of a network Monte Carlo campaign, block by block.
class NetworkTally {
 public:
  // ngspice and the fast evaluator on the same devices agree within this (imcosim imac validate).
  static constexpr double spice_tolerance_volt = 2e-3;

  explicit NetworkTally(const Campaign& campaign);

  void add(const SampleBlock& block);

  // The tallies of processes that evaluated other samples (a campaign over MPI ranks):
  // append_numbers writes this tally as plain numbers; absorb_numbers reads one such record from
  // `numbers` at `at` (moved past it) and adds its values after this tally's, as if its samples
  // had been added here after this tally's own.
  void append_numbers(std::vector<double>& numbers) const;
  void absorb_numbers(const std::vector<double>& numbers, std::size_t& at);

  // One entry per back-end: nominal, fast when enabled, then ngspice.
  [[nodiscard]] std::vector<NetworkBackendStatistics> statistics() const;
  // Per input vector of the samples run in ngspice: max_j |V_ngspice[j] - V_fast[j]| (volts); a
  // count of 0 without ngspice or without the fast back-end.
  [[nodiscard]] Summary spice_vs_fast_volt() const;

 private:
  struct Values {
    std::string name;
    std::vector<double> errors;
    std::vector<double> outputs;
    std::vector<double> power;
    std::int64_t class_flips = 0;
    std::int64_t vectors = 0;
    std::int64_t correct = 0;
    std::int64_t labelled = 0;
  };
  // `labels`: the rows' class labels, or empty.
  void add_backend(Values& values, const Eigen::MatrixXd& outputs_volt,
                   const Eigen::MatrixXd& predicted_class, const Eigen::MatrixXd& power_watt,
                   const Eigen::MatrixXd& nominal_volt, const Eigen::MatrixXd& nominal_class,
                   const Eigen::MatrixXd& labels, bool is_nominal);
  std::vector<Values> backends_;
  std::vector<double> spice_vs_fast_;
  bool runs_spice_;
};

}  // namespace imcosim::campaign
