#pragma once

// The campaign dataset (HDF5), as docs/dataset.md specifies it. Samples are committed in
// blocks by copy-on-write: each block is appended to a copy of the file, which is flushed to
// disk and renamed over the original together with its `completed_samples` attribute. So the
// file at the final path is always a complete, readable dataset of its first completed_samples
// samples, whatever moment the process is killed at (kill -9 included), and running the same
// command again resumes after the last committed sample.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "imcosim/campaign/campaign.hpp"
#include "imcosim/campaign/shard.hpp"

namespace imcosim::campaign {

// What identifies a dataset file: its campaign, its part of it, and the tools that wrote it.
struct DatasetHeader {
  std::string configuration_text;
  std::string configuration_hash;
  std::string imcosim_version;
  std::string ngspice_version;  // empty when the campaign neither runs nor characterises in ngspice
  std::string ngspice_solver;   // "klu" or "sparse" with ngspice_version, else empty
  std::int64_t seed = 0;
  std::int64_t samples = 0;  // in the whole campaign
  std::int64_t vectors_per_sample = 1;
  std::string subject = "tile";  // "tile" or "network"
  std::int64_t rows = 0;         // inputs per vector: tile rows M or network inputs
  std::int64_t cols = 0;         // outputs per vector: tile columns N or network outputs
  std::int64_t devices = 0;      // conductances per sample: M N, or every device of the network
  std::int64_t spice_every = 0;
  bool store_conductances = true;
  bool store_targets = false;      // /target_conductance
  std::string targets = "shared";  // "shared" (every network) or "per_sample"
  bool labelled = false;           // /labels: the input file's class labels
  int deflate_level = 1;
  std::vector<std::string> outputs;  // back-ends under /outputs besides ngspice
  std::string solver_method;         // empty without the solver back-end
  Shard shard;
  SampleRange range;  // the samples this file holds when complete
};

// The header of a campaign run (this tool's version) for `shard`; the ngspice version and
// matrix solver are recorded when the campaign uses ngspice.
[[nodiscard]] DatasetHeader dataset_header(const Campaign& campaign, const Shard& shard,
                                           const std::string& ngspice_version,
                                           const std::string& ngspice_solver);
// Reads the header of an existing dataset; throws CampaignError (bad_input) when `path` is not
// a campaign dataset.
[[nodiscard]] DatasetHeader read_dataset_header(const std::filesystem::path& path);
// The completed_samples attribute of an existing dataset.
[[nodiscard]] std::int64_t read_completed_samples(const std::filesystem::path& path);

// Samples [first, first + count) of `range` read back from a dataset file; the conductance
// matrix is empty when the file does not store them.
[[nodiscard]] SampleBlock read_sample_block(const std::filesystem::path& path,
                                            const DatasetHeader& header, std::int64_t first,
                                            std::int64_t count);

class DatasetWriter {
 public:
  // Creates `path` holding no samples yet, or reopens it to resume when it holds a dataset of the
  // same header (configuration hash, shard, tool version). An unsharded dataset of fewer samples
  // is extended to header.samples (its `samples` and `sample_count` grow; the samples it holds
  // stay, since a sample does not depend on the campaign's size). Anything else at `path` throws
  // CampaignError (bad_input) and is left untouched. Temporaries left by killed runs are removed.
  DatasetWriter(std::filesystem::path path, DatasetHeader header);

  [[nodiscard]] const DatasetHeader& header() const noexcept { return header_; }
  // Samples committed so far, counted from header().range.first.
  [[nodiscard]] std::int64_t completed_samples() const noexcept { return completed_; }
  [[nodiscard]] bool complete() const noexcept { return completed_ == header_.range.count; }

  // Samples of the next block: `block_samples`, grown to an eighth of the samples committed so
  // far so that copying the file at every commit stays O(1) per sample on long campaigns, and
  // at most what remains.
  [[nodiscard]] std::int64_t next_block_samples(std::int64_t block_samples) const noexcept;

  // Appends `block`, which must start at range.first + completed_samples(), and commits it.
  void append(const SampleBlock& block);

 private:
  std::filesystem::path path_;
  DatasetHeader header_;
  std::int64_t completed_ = 0;
};

// Merges complete shard files of one campaign (any order) into `output`, written atomically:
// identical in every dataset and attribute to the file of an unsharded run. Throws
// CampaignError (bad_input) when the shards differ in configuration or version, are
// incomplete, overlap, or leave samples uncovered. `on_progress(done, total)` follows the
// samples copied, block by block.
void merge_datasets(
    const std::vector<std::filesystem::path>& shards, const std::filesystem::path& output,
    const std::function<void(std::int64_t done, std::int64_t total)>& on_progress = {});

}  // namespace imcosim::campaign
