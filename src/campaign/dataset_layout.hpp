#pragma once

// The datasets of a campaign dataset file and where their rows come from in a SampleBlock: the
// one list that creating, appending, reading back and merging all follow.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "imcosim/campaign/dataset_file.hpp"

namespace imcosim::campaign {

struct DatasetSpec {
  std::string path;  // e.g. "outputs/solver"
  std::int64_t columns = 0;
  std::string unit;
  std::string description;
  Eigen::MatrixXd SampleBlock::*block_matrix = nullptr;  // set for every dataset but outputs/*
  std::size_t output_index = 0;                          // into SampleBlock::outputs_ampere
  bool per_spice_sample = false;  // rows follow the ngspice samples, not every sample
  std::int64_t rows_per_sample = 1;
};

[[nodiscard]] std::vector<DatasetSpec> dataset_specs(const DatasetHeader& header);

// The block's rows for one dataset.
[[nodiscard]] const Eigen::MatrixXd& block_rows(const SampleBlock& block, const DatasetSpec& spec);
[[nodiscard]] Eigen::MatrixXd& block_rows(SampleBlock& block, const DatasetSpec& spec);

// How many of the samples [first, first + count) run in ngspice (every spice_every-th index).
[[nodiscard]] std::int64_t spice_samples_in(std::int64_t spice_every, std::int64_t first,
                                            std::int64_t count);

}  // namespace imcosim::campaign
