#pragma once

// The datasets of a campaign dataset file and where their rows come from in a SampleBlock: the
// one list that creating, appending, reading back and merging all follow.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/campaign/dataset_file.hpp"

namespace imcosim::campaign {

// Which samples give a dataset rows.
enum class RowsFollow {
  every_sample,
  spice_samples,  // the samples run in ngspice
  sample_zero,    // sample 0 alone: what the whole campaign shares (shared targets)
};

struct DatasetSpec {
  std::string path;  // e.g. "outputs/solver"
  std::int64_t columns = 0;
  std::string unit;
  std::string description;
  // Where the rows are: a matrix of the block, or entry list_index of one of its per-back-end
  // lists (outputs, predicted_class, power_watt).
  Eigen::MatrixXd SampleBlock::*block_matrix = nullptr;
  std::vector<std::pair<std::string, Eigen::MatrixXd>> SampleBlock::*block_list = nullptr;
  std::size_t list_index = 0;
  RowsFollow rows_follow = RowsFollow::every_sample;
  std::int64_t rows_per_sample = 1;
};

[[nodiscard]] std::vector<DatasetSpec> dataset_specs(const DatasetHeader& header);
// The groups that hold them.
[[nodiscard]] std::vector<std::string> dataset_groups(const DatasetHeader& header);
// An empty block with the header's per-back-end lists named, for reading rows into.
[[nodiscard]] SampleBlock empty_block(const DatasetHeader& header);

// The block's rows for one dataset.
[[nodiscard]] const Eigen::MatrixXd& block_rows(const SampleBlock& block, const DatasetSpec& spec);
[[nodiscard]] Eigen::MatrixXd& block_rows(SampleBlock& block, const DatasetSpec& spec);

// How many of the samples [first, first + count) run in ngspice (every spice_every-th index).
[[nodiscard]] std::int64_t spice_samples_in(std::int64_t spice_every, std::int64_t first,
                                            std::int64_t count);

}  // namespace imcosim::campaign
