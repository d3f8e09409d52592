#pragma once

// Campaign configurations and dataset comparisons shared by the campaign tests.
#include <filesystem>
#include <string>

namespace imcosim::testing {

// A small campaign (8x6 tile with wires, variation, faults, read noise; ideal, direct solver
// and ngspice on every 10th sample) that runs in well under a second; `extra` lines are appended
// to the [campaign] section.
std::string small_campaign_ini(long samples, const std::string& extra = "");

// Writes `text` to `path`.
void write_text(const std::filesystem::path& path, const std::string& text);

// Empty when the two datasets hold the same objects, values and attributes (checked with
// h5py), otherwise the first difference.
std::string dataset_difference(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace imcosim::testing
