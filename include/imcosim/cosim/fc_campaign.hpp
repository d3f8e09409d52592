#pragma once

// The TPU-IMAC design's FC part as a network campaign (docs/campaign.md, "Network campaigns"):
// Monte Carlo sweeps over its devices run on the campaign engine, whose datasets are resumable,
// shardable and merged by `imcosim merge`, with per-sample seeds recorded.

#include <filesystem>

#include "imcosim/cosim/config.hpp"
#include "imcosim/cosim/cosimulation.hpp"

namespace imcosim::cosim {

// Writes DIRECTORY/model.h5 (the FC part, docs/imac.md), circuit.ini, inputs.h5 (/inputs: every
// test image at the split in volts, /labels) and campaign.ini: `samples_per_pass` device draws,
// each evaluated on its own slice of the images, so one pass covers every image once; the
// device model and seed are the co-simulation's. Each file is written atomically.
void write_fc_campaign(const std::filesystem::path& directory, const FcPart& part,
                       const CosimConfig& config, std::int64_t samples_per_pass = 10);

}  // namespace imcosim::cosim
