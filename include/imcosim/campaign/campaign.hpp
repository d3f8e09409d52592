#pragma once

// A Monte Carlo campaign over one crossbar tile design: sample s draws its devices and inputs
// from seeds derived from (campaign seed, s) alone, so any range of samples can be evaluated by
// any number of threads, processes or shards with bit-identical results.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/campaign/config.hpp"
#include "imcosim/device/device_model.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::campaign {

// The outputs of a range of consecutive samples; K = vectors_per_sample.
struct SampleBlock {
  std::int64_t first_sample = 0;
  std::int64_t sample_count = 0;
  Eigen::MatrixXd sample_seed;          // count x 1: derive_seed(campaign seed, s), < 2^53
  Eigen::MatrixXd inputs_volt;          // count K x M
  Eigen::MatrixXd conductance_siemens;  // count x M N: programmed (d2d, faults, drift), row-major
  // count K x N output currents (amperes) per back-end, in dataset order: "nominal" (target
  // conductances; exact with wires, or the ideal product when the solver is none or ideal),
  // then "ideal" and "solver" when enabled.
  std::vector<std::pair<std::string, Eigen::MatrixXd>> outputs_ampere;
  Eigen::MatrixXd spice_sample;          // S_sp x 1: indices of the samples run in ngspice
  Eigen::MatrixXd spice_outputs_ampere;  // S_sp K x N
};

struct EvaluationOptions {
  int threads = 1;                    // samples evaluated in parallel by the fast back-ends
  spice::WorkerPool* pool = nullptr;  // required when the campaign runs ngspice
};

class Campaign {
 public:
  // Validates the device model and reads the input file (when inputs come from a file).
  explicit Campaign(CampaignConfig config);
  ~Campaign();
  Campaign(const Campaign&) = delete;
  Campaign& operator=(const Campaign&) = delete;

  [[nodiscard]] const CampaignConfig& config() const noexcept { return config_; }
  [[nodiscard]] const device::DeviceModel& device_model() const noexcept { return device_model_; }
  // canonical_text(config).
  [[nodiscard]] const std::string& configuration_text() const noexcept { return text_; }
  // FNV-1a 64 of the configuration text and of the input file's values, 16 hex digits.
  [[nodiscard]] const std::string& configuration_hash() const noexcept { return hash_; }
  [[nodiscard]] bool runs_spice() const noexcept { return config_.spice_every > 0; }
  // Names of the back-ends of SampleBlock::outputs_ampere.
  [[nodiscard]] std::vector<std::string> output_names() const;
  // Whether sample `sample` is one of those evaluated in ngspice.
  [[nodiscard]] bool is_spice_sample(std::int64_t sample) const noexcept;

  // Evaluates samples [first, first + count). Throws SolverError or SpiceError on failure.
  [[nodiscard]] SampleBlock evaluate(std::int64_t first, std::int64_t count,
                                     const EvaluationOptions& options) const;

 private:
  struct Shared;
  CampaignConfig config_;
  device::DeviceModel device_model_;
  Eigen::MatrixXd file_inputs_volt_;
  std::string text_;
  std::string hash_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace imcosim::campaign
