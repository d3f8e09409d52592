#pragma once

// The configuration of a Monte Carlo campaign or dataset: an INI file whose every key is
// documented in docs/campaign.md. Unknown sections or keys, malformed values and inconsistent
// settings are errors that name the file and the key.

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/device/device_model.hpp"
#include "imcosim/imac/model.hpp"
#include "imcosim/imac/parameters.hpp"
#include "imcosim/solver/tile_solver.hpp"

namespace imcosim::campaign {

// Where a sample's target conductances (the weights the tile should hold) come from.
enum class TargetMode {
  shared,      // one set of targets for the whole campaign (a Monte Carlo of one tile)
  per_sample,  // new targets drawn for every sample (a dataset over many weight matrices)
};

enum class InputSource {
  random,  // uniform in [v_min, v_max), drawn per sample
  file,    // rows of /inputs in an HDF5 file, taken in order and wrapped around
};

// The subject of a network campaign ([network]): a trained IMAC network on its circuit. The
// devices' targets are the network's weights; the device model's states are the circuit's.
struct NetworkSubject {
  std::filesystem::path model_file;    // as resolved (relative to the configuration file)
  std::filesystem::path circuit_file;  // empty: the reference circuit (imac::ImacParameters{})
  std::shared_ptr<const imac::ImacModel> model;
  imac::ImacParameters circuit;
};

struct CampaignConfig {
  // [campaign]
  std::int64_t samples = 0;
  std::uint64_t seed = 0;
  Eigen::Index vectors_per_sample = 1;
  Eigen::Index block_samples = 64;
  // [tile] (a tile campaign), or [network] (a network campaign: rows = the network's inputs,
  // cols = its outputs, no wires, targets shared: the weights)
  std::optional<NetworkSubject> network;
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  circuit::WireResistances wires;
  TargetMode targets = TargetMode::shared;
  // [device]
  device::DeviceParameters device;
  // [inputs]
  InputSource input_source = InputSource::random;
  double v_min_volt = -0.5;
  double v_max_volt = 0.5;
  std::filesystem::path input_file;
  // [backends] (ideal and solver: tiles only; fast: networks only)
  bool ideal = true;
  std::optional<solver::SolverMethod> solver = solver::SolverMethod::direct;
  bool fast = true;              // networks: the fast evaluator on the programmed network
  std::int64_t spice_every = 0;  // ngspice on samples whose index is a multiple; 0: never
  // [output]
  bool store_conductances = true;
  // The nominal (target) conductances beside the programmed ones: one row per sample with
  // targets per_sample, else one row (the file holding sample 0).
  bool store_targets = false;
  int deflate_level = 1;
};

// Reads and validates `path`. Throws CampaignError (bad_input) naming the file and key, or
// device::DeviceError for an inconsistent device model.
[[nodiscard]] CampaignConfig read_campaign_config(const std::filesystem::path& path);

// Every setting that determines the samples, one "section.key = value" line each, in a fixed
// order with doubles written exactly (17 significant digits). Equal texts mean equal samples.
// The number of samples is not among them: sample s depends on (configuration, seed, s) alone, so
// a dataset grown to more samples keeps its configuration and hash.
[[nodiscard]] std::string canonical_text(const CampaignConfig& config);

[[nodiscard]] std::string_view target_mode_name(TargetMode mode);
[[nodiscard]] std::string_view input_source_name(InputSource source);

}  // namespace imcosim::campaign
