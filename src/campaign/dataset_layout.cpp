#include "dataset_layout.hpp"

namespace imcosim::campaign {

std::vector<DatasetSpec> dataset_specs(const DatasetHeader& header) {
  const std::int64_t vectors = header.vectors_per_sample;
  std::vector<DatasetSpec> specs;
  specs.push_back({"sample_seed", 1, "1",
                   "seed of each sample, derive_seed(seed, sample index) < 2^53 (docs/dataset.md)",
                   &SampleBlock::sample_seed, 0, false, 1});
  specs.push_back({"inputs", header.rows, "V",
                   "input vectors; rows s*K to s*K+K-1 belong to sample s (K = "
                   "vectors_per_sample)",
                   &SampleBlock::inputs_volt, 0, false, vectors});
  if (header.store_conductances) {
    specs.push_back({"conductance", header.rows * header.cols, "S",
                     "programmed conductances at read_time (d2d variation, faults, drift), one "
                     "row-major M x N matrix per sample",
                     &SampleBlock::conductance_siemens, 0, false, 1});
  }
  for (std::size_t b = 0; b < header.outputs.size(); ++b) {
    specs.push_back(
        {"outputs/" + header.outputs[b], header.cols, "A",
         "output currents of back-end '" + header.outputs[b] + "', one row per input vector",
         nullptr, b, false, vectors});
  }
  if (header.spice_every > 0) {
    specs.push_back({"outputs/ngspice_sample", 1, "1", "indices of the samples run in ngspice",
                     &SampleBlock::spice_sample, 0, true, 1});
    specs.push_back({"outputs/ngspice", header.cols, "A",
                     "ngspice output currents; rows i*K to i*K+K-1 belong to sample "
                     "ngspice_sample[i]",
                     &SampleBlock::spice_outputs_ampere, 0, true, vectors});
  }
  return specs;
}

const Eigen::MatrixXd& block_rows(const SampleBlock& block, const DatasetSpec& spec) {
  return spec.block_matrix != nullptr ? block.*spec.block_matrix
                                      : block.outputs_ampere[spec.output_index].second;
}

Eigen::MatrixXd& block_rows(SampleBlock& block, const DatasetSpec& spec) {
  return spec.block_matrix != nullptr ? block.*spec.block_matrix
                                      : block.outputs_ampere[spec.output_index].second;
}

std::int64_t spice_samples_in(std::int64_t spice_every, std::int64_t first, std::int64_t count) {
  if (spice_every <= 0 || count <= 0) {
    return 0;
  }
  const auto multiples_below = [&](std::int64_t end) {
    return (end + spice_every - 1) / spice_every;
  };
  return multiples_below(first + count) - multiples_below(first);
}

}  // namespace imcosim::campaign
