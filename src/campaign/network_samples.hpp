#pragma once

// The samples of a network campaign: every memristor of every tile of an IMAC network is
// programmed from the sample's seed, and the programmed network is evaluated by the fast
// evaluator and, on every spice_every-th sample, by ngspice; the nominal network (the weights'
// conductances, no non-ideality) is the reference.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "imcosim/campaign/campaign.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/imac/neuron_table.hpp"

namespace imcosim::campaign {

class NetworkSamples {
 public:
  // Builds the nominal network and characterises its neuron once (ngspice DC sweep in a worker
  // of resources.pool, or the cached table). Throws CampaignError (runtime) without a pool.
  // `config` and `device_model` must outlive it (the Campaign that owns it holds them).
  NetworkSamples(const CampaignConfig& config, const device::DeviceModel& device_model,
                 const NetworkResources& resources);

  // Every memristor of every tile.
  [[nodiscard]] std::int64_t device_count() const noexcept { return device_count_; }
  // "nominal", then "fast" when enabled.
  [[nodiscard]] std::vector<std::string> output_names() const;

  // Samples [first, first + count); see Campaign::evaluate.
  // `file_labels` label the rows of `file_inputs_volt` (or are empty).
  [[nodiscard]] SampleBlock evaluate(std::int64_t first, std::int64_t count,
                                     const EvaluationOptions& options,
                                     const Eigen::MatrixXd& file_inputs_volt,
                                     const std::vector<Eigen::Index>& file_labels) const;

 private:
  struct Sample;
  [[nodiscard]] Sample evaluate_sample(std::int64_t sample,
                                       const Eigen::MatrixXd& file_inputs_volt) const;
  void run_spice(const std::vector<Sample>& samples, SampleBlock& block,
                 spice::WorkerPool* pool) const;

  const CampaignConfig& config_;
  const device::DeviceModel& device_model_;
  imac::ImacNetwork nominal_;
  imac::NeuronTable neuron_table_;
  imac::FastEvaluator nominal_evaluator_;
  Eigen::RowVectorXd target_g_siemens_;  // every device's target, in the order of conductances
  std::int64_t device_count_ = 0;
};

}  // namespace imcosim::campaign
