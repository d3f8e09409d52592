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

// Runs `imcosim dataset ARGUMENTS` (which writes `output`) `attempts` times, each killed with
// SIGKILL (no handler, no flush, no destructor) after a delay drawn uniformly from
// [min_ms, max_ms] by a generator seeded with `seed`. After each run the output, when it exists,
// must be a readable dataset whose sample_seed and `per_sample_dataset` hold exactly its
// completed_samples rows.
struct KilledRuns {
  int kills = 0;         // runs that were killed before they finished
  std::string problems;  // h5py's complaints about an unreadable or inconsistent file
};
KilledRuns run_killed_datasets(const std::string& arguments, const std::filesystem::path& output,
                               const std::string& per_sample_dataset, int attempts, int min_ms,
                               int max_ms, unsigned seed);

// Writes the dataset of `config` twice into `directory`: one.h5 with --threads 1 --workers 1 and
// two.h5 with --threads 2 --workers 2 (`options` added to both). Empty when both runs succeed
// and the files are byte-identical, otherwise what went wrong.
std::string parallelism_difference(const std::string& config,
                                   const std::filesystem::path& directory,
                                   const std::string& options = "");

// The bytes of a file.
std::string file_bytes(const std::filesystem::path& path);

// Empty when the two datasets hold the same objects, values and attributes (checked with
// h5py), otherwise the first difference.
std::string dataset_difference(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace imcosim::testing
