#pragma once

// What a co-simulation writes (docs/cosim.md, "Output"): an HDF5 result file that h5py reads,
// the comparison table as CSV and Markdown, and the per-layer costs of both designs as CSV.

#include <filesystem>
#include <string>

#include "imcosim/cosim/config.hpp"
#include "imcosim/cosim/cosimulation.hpp"

namespace imcosim::cosim {

// Where the run came from, stored with its results.
struct RunProvenance {
  std::string configuration;  // canonical_text(config)
  std::string ngspice_version;
  std::string command;
};

// The paper-style comparison: one row per figure, TPU-only beside TPU-IMAC and their ratio.
[[nodiscard]] std::string comparison_table_markdown(const CosimResult& result);
[[nodiscard]] std::string comparison_table_csv(const CosimResult& result);
// Every layer of both designs: design, layer, unit, cycles, latency, MACs, SRAM, DRAM, energy.
[[nodiscard]] std::string layer_costs_csv(const CosimResult& result);

// Writes OUTDIR/cosim.h5, OUTDIR/table.csv, OUTDIR/table.md, OUTDIR/layers.csv and the FC part
// as a network campaign in OUTDIR/fc-part/ (fc_campaign.hpp), each file atomically (a failure
// leaves any earlier file in place). Throws io::IoError or CosimError.
void write_results(const std::filesystem::path& directory, const CosimResult& result,
                   const CosimConfig& config, const RunProvenance& provenance);

}  // namespace imcosim::cosim
