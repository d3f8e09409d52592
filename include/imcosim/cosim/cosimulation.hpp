#pragma once

// The TPU-IMAC co-simulation (docs/cosim.md): every test image through the TPU-only design (the
// whole model on the TPU model, FC layers as int8 GEMMs) and through TPU-IMAC (conv layers on the
// same TPU model, the DAC, the FC part on the IMAC circuit), with the accuracy, latency, weight
// memory, energy and area of both.

#include <Eigen/Core>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "imcosim/cosim/config.hpp"
#include "imcosim/imac/model.hpp"
#include "imcosim/mpi/process_group.hpp"
#include "imcosim/nn/model_file.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::cosim {

// One layer's share of an inference on one design.
struct LayerCost {
  std::string name;
  std::string unit;         // "tpu", "dac", "imac" or "adc"
  std::int64_t cycles = 0;  // TPU layers: busy cycles of the array (all groups)
  double latency_s = 0.0;
  std::int64_t macs = 0;
  std::int64_t sram_bytes = 0;  // SRAM reads and writes
  std::int64_t dram_bytes = 0;
  double energy_j = 0.0;
};

// One design's figures per inference.
struct DesignFigures {
  std::vector<LayerCost> layers;
  double latency_s = 0.0;
  double energy_j = 0.0;
  std::int64_t weight_bytes = 0;    // digital weight memory: int8 weights, int32 biases
  std::int64_t fc_weights = 0;      // FC weights (and biases), however stored
  double bits_per_fc_weight = 0.0;  // 8 on the TPU; the crossbar devices' bits on IMAC
  double area_m2 = 0.0;
};

// An accuracy figure on the test images, with its predictions.
struct AccuracyFigure {
  std::string name;  // "float", "tpu-only int8", "tpu-imac ideal wires", ...
  nn::EvaluationRecord record;
  std::vector<std::size_t> predicted;
  std::uint64_t seed = 0;  // device draws: the draw's seed
};

// The ngspice check of the FC part on some images.
struct SpiceCheck {
  std::string analysis;  // "op" or "tran"
  std::vector<std::size_t> images;
  Eigen::MatrixXd fast_volt;   // images x outputs
  Eigen::MatrixXd spice_volt;  // images x outputs
  double max_difference_volt = 0.0;
  std::size_t equal_classes = 0;
};

// The TPU-IMAC design's FC part as a network campaign's subject (docs/campaign.md): what the
// co-simulation hands to `imcosim dataset` for Monte Carlo sweeps over devices.
struct FcPart {
  imac::ImacModel model;        // the FC part, weights as the circuit holds them
  std::string circuit_text;     // its circuit configuration (INI; empty: the reference circuit)
  Eigen::MatrixXd inputs_volt;  // every test image at the split, after the DAC [images][n_in]
  std::vector<std::int64_t> labels;
};

struct CosimResult {
  std::string model_name;
  std::size_t images = 0;
  std::vector<AccuracyFigure> accuracies;
  // Images on which the TPU-only run's class differs from the trainer's int8 forward (0: the
  // TPU model and the trainer run the same int8 network).
  std::size_t tpu_only_mismatches = 0;
  DesignFigures tpu_only;
  DesignFigures tpu_imac;
  std::optional<SpiceCheck> spice_check;
  std::optional<FcPart> fc_part;
  // IMAC latency and power from the ngspice transients (NaN without latency_images).
  double imac_latency_s = 0.0;
  double imac_power_watt = 0.0;
  double imac_static_power_watt = 0.0;  // fast path, mean over the test images
  // Where the time went, seconds: the TPU model for TPU-only (whole model) and for TPU-IMAC
  // (conv layers), the IMAC fast path (parasitics and device draws), ngspice.
  double tpu_only_seconds = 0.0;
  double tpu_imac_tpu_seconds = 0.0;
  double imac_seconds = 0.0;
  double spice_seconds = 0.0;

  [[nodiscard]] double speedup() const { return tpu_only.latency_s / tpu_imac.latency_s; }
  [[nodiscard]] double weight_memory_reduction() const {
    return 1.0 -
           static_cast<double>(tpu_imac.weight_bytes) / static_cast<double>(tpu_only.weight_bytes);
  }
};

struct CosimResources {
  spice::WorkerPool* pool = nullptr;  // ngspice: neuron characterisation and the checks
  std::filesystem::path neuron_cache_directory;
  // Called with a line of progress text (which step, how far).
  std::function<void(const std::string&)> on_progress;
  // The ranks of an MPI launcher that share the images (each computes its share, the root joins
  // them in image order: the same figures as one process), or nullptr: this process alone.
  // Every rank calls run_cosimulation; only the root's result is whole, the others' is partial.
  mpi::ProcessGroup* group = nullptr;
};

// Runs the co-simulation of `config`. Throws CosimError (bad_input) when the models do not fit
// the dataset or each other, and the stages' errors on failure.
[[nodiscard]] CosimResult run_cosimulation(const CosimConfig& config,
                                           const CosimResources& resources);

}  // namespace imcosim::cosim
