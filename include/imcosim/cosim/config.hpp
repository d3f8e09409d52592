#pragma once

// The configuration of a TPU-IMAC co-simulation: an INI file whose every key is documented in
// docs/cosim.md. Unknown sections or keys, malformed values and inconsistent settings are errors
// (CosimError, bad_input) that name the file and the key; relative paths are relative to the
// configuration file.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "imcosim/cosim/cost_model.hpp"
#include "imcosim/device/device_model.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/parameters.hpp"
#include "imcosim/tpu/architecture.hpp"

namespace imcosim::cosim {

struct CosimConfig {
  std::filesystem::path file;  // the configuration file, for messages and output attributes

  // [cosim]
  std::uint64_t seed = 1;                 // device draws derive their seeds from it
  std::string dataset = "fashion-mnist";  // fashion-mnist[:DIRECTORY] or an HDF5 image dataset
  std::size_t test_images = 0;            // the first N test images; 0: all

  // [tpu_only] the baseline: the whole model on the TPU.
  std::filesystem::path tpu_only_model;
  std::size_t calibration_images = 1024;  // a float model is quantised on these training images

  // [tpu_imac] the heterogeneous design: conv layers on the TPU, the FC part on IMAC.
  std::filesystem::path tpu_imac_model;         // trained with --precision imac-ideal
  std::filesystem::path circuit_file;           // empty: the circuit stored in the model file
  std::optional<imac::ImacParameters> circuit;  // read from circuit_file when given

  // [tpu] the array both designs run on (a SCALE-Sim .cfg, or the keys).
  tpu::ArchitectureConfig architecture;

  // [device] Monte Carlo draws of the crossbar devices (device variation, faults, drift).
  std::int64_t device_draws = 0;
  device::DeviceParameters device;  // g_min and g_max are the circuit's

  // [spice] ngspice checks of the FC part.
  std::int64_t spice_every = 0;  // the DC or transient check on every N-th test image; 0: none
  imac::ImacAnalysis spice_analysis = imac::ImacAnalysis::operating_point;
  std::int64_t latency_images = 0;  // transients on the first N images measure IMAC latency

  // [energy], [conversion], [area] and [tpu] clock_mhz.
  CostParameters costs;
};

// `overrides` are "section.key=value" settings that replace the file's (a path among them is
// relative to the working directory): one configuration, many runs (sweeps, the main job).
[[nodiscard]] CosimConfig read_cosim_config(const std::filesystem::path& path,
                                            const std::vector<std::string>& overrides = {});

// Every setting, one "section.key = value" line each in a fixed order (doubles with 17
// significant digits): stored with the results, so that a run can be traced and repeated.
[[nodiscard]] std::string canonical_text(const CosimConfig& config);

}  // namespace imcosim::cosim
