#pragma once

// A Monte Carlo campaign over one crossbar tile design or one IMAC network: sample s draws its
// devices and inputs from seeds derived from (campaign seed, s) alone, so any range of samples
// can be evaluated by any number of threads, processes or shards with bit-identical results.

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
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
  Eigen::MatrixXd sample_seed;  // count x 1: derive_seed(campaign seed, s), < 2^53
  Eigen::MatrixXd inputs_volt;  // count K x M
  // count x devices, programmed (d2d, faults, drift): a tile's M N row-major; a network's tiles
  // one after another in the order of ImacNetwork::with_programmed_devices, each row-major.
  Eigen::MatrixXd conductance_siemens;
  // With store_targets: the nominal (target) conductances in the layout of conductance_siemens,
  // one row per sample with per-sample targets, else one row when the block holds sample 0
  // (none otherwise).
  Eigen::MatrixXd target_siemens;
  // Networks whose input file has /labels: count K x 1 class labels of the input vectors.
  Eigen::MatrixXd labels;
  // count K x N outputs per back-end, in dataset order. Tiles: output currents (amperes) of
  // "nominal" (target conductances; exact with wires, or the ideal product when the solver is
  // none or ideal), then "ideal" and "solver" when enabled. Networks: output voltages (volts) of
  // "nominal" (the fast evaluator on the weights' conductances), then "fast" when enabled.
  std::vector<std::pair<std::string, Eigen::MatrixXd>> outputs;
  // Networks only, per back-end of `outputs`: count K x 1 predicted class and power (watts).
  std::vector<std::pair<std::string, Eigen::MatrixXd>> predicted_class;
  std::vector<std::pair<std::string, Eigen::MatrixXd>> power_watt;
  Eigen::MatrixXd spice_sample;           // S_sp x 1: indices of the samples run in ngspice
  Eigen::MatrixXd spice_outputs;          // S_sp K x N, amperes (tiles) or volts (networks)
  Eigen::MatrixXd spice_predicted_class;  // networks: S_sp K x 1
  Eigen::MatrixXd spice_power_watt;       // networks: S_sp K x 1, averaged over the window
};

// What a network campaign needs once, before any sample: ngspice workers to characterise the
// neuron (or load it from the cache directory) for the fast evaluator.
struct NetworkResources {
  spice::WorkerPool* pool = nullptr;
  std::filesystem::path neuron_cache_directory;
};

struct EvaluationOptions {
  int threads = 1;                    // samples evaluated in parallel by the fast back-ends
  spice::WorkerPool* pool = nullptr;  // required when the campaign runs ngspice
};

class NetworkSamples;

class Campaign {
 public:
  // Validates the device model and reads the input file (when inputs come from a file). A
  // network campaign characterises its neuron with `resources` (required for networks).
  explicit Campaign(CampaignConfig config, const NetworkResources& resources = {});
  ~Campaign();
  Campaign(const Campaign&) = delete;
  Campaign& operator=(const Campaign&) = delete;

  [[nodiscard]] const CampaignConfig& config() const noexcept { return config_; }
  [[nodiscard]] const device::DeviceModel& device_model() const noexcept { return device_model_; }
  // canonical_text(config).
  [[nodiscard]] const std::string& configuration_text() const noexcept { return text_; }
  // FNV-1a 64 of the configuration text, of the input file's values and of a network's weights
  // and biases, 16 hex digits.
  [[nodiscard]] const std::string& configuration_hash() const noexcept { return hash_; }
  [[nodiscard]] bool runs_spice() const noexcept { return config_.spice_every > 0; }
  [[nodiscard]] bool is_network() const noexcept { return config_.network.has_value(); }
  // Whether the network's input file holds class labels (/labels), which the samples then carry.
  [[nodiscard]] bool labelled() const noexcept { return !file_labels_.empty(); }
  // Columns of SampleBlock::conductance_siemens: every device of the tile or network.
  [[nodiscard]] std::int64_t device_count() const noexcept { return device_count_; }
  // Names of the back-ends of SampleBlock::outputs.
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
  std::vector<Eigen::Index> file_labels_;  // per row of file_inputs_volt_, or empty
  std::string text_;
  std::string hash_;
  std::int64_t device_count_ = 0;
  std::unique_ptr<Shared> shared_;
  std::unique_ptr<NetworkSamples> network_;
};

}  // namespace imcosim::campaign
