#include "dataset_layout.hpp"

namespace imcosim::campaign {

namespace {

using BlockList = std::vector<std::pair<std::string, Eigen::MatrixXd>> SampleBlock::*;

bool is_network(const DatasetHeader& header) { return header.subject == "network"; }

}  // namespace

std::vector<DatasetSpec> dataset_specs(const DatasetHeader& header) {
  const std::int64_t vectors = header.vectors_per_sample;
  const bool network = is_network(header);
  const std::string output_unit = network ? "V" : "A";
  const std::string output_kind = network ? "output voltages" : "output currents";
  std::vector<DatasetSpec> specs;
  specs.push_back({"sample_seed", 1, "1",
                   "seed of each sample, derive_seed(seed, sample index) < 2^53 (docs/dataset.md)",
                   &SampleBlock::sample_seed, nullptr, 0, RowsFollow::every_sample, 1});
  specs.push_back({"inputs", header.rows, "V",
                   "input vectors; rows s*K to s*K+K-1 belong to sample s (K = "
                   "vectors_per_sample)",
                   &SampleBlock::inputs_volt, nullptr, 0, RowsFollow::every_sample, vectors});
  if (header.store_conductances) {
    specs.push_back({"conductance", header.devices, "S",
                     network ? "programmed conductances at read_time (d2d variation, faults, "
                               "drift) of every tile, in layer and tile order, each row-major; "
                               "one row per sample"
                             : "programmed conductances at read_time (d2d variation, faults, "
                               "drift), one row-major M x N matrix per sample",
                     &SampleBlock::conductance_siemens, nullptr, 0, RowsFollow::every_sample, 1});
  }
  if (header.store_targets) {
    const bool shared = header.targets == "shared";
    specs.push_back({"target_conductance", header.devices, "S",
                     std::string("nominal (target) conductances, the devices' layout as "
                                 "conductance; ") +
                         (shared ? "one row: the campaign's shared targets" : "one row per sample"),
                     &SampleBlock::target_siemens, nullptr, 0,
                     shared ? RowsFollow::sample_zero : RowsFollow::every_sample, 1});
  }
  if (header.labelled) {
    specs.push_back({"labels", 1, "1",
                     "class label of each input vector, from the input file; rows as inputs",
                     &SampleBlock::labels, nullptr, 0, RowsFollow::every_sample, vectors});
  }
  // Per back-end: the outputs, and for networks the class and the power.
  const auto add_per_backend = [&](const std::string& group, BlockList list, std::int64_t columns,
                                   const std::string& unit, const std::string& what) {
    for (std::size_t b = 0; b < header.outputs.size(); ++b) {
      specs.push_back({group + "/" + header.outputs[b], columns, unit,
                       what + " of back-end '" + header.outputs[b] + "', one row per input vector",
                       nullptr, list, b, RowsFollow::every_sample, vectors});
    }
  };
  add_per_backend("outputs", &SampleBlock::outputs, header.cols, output_unit, output_kind);
  if (network) {
    add_per_backend("predicted_class", &SampleBlock::predicted_class, 1, "1",
                    "predicted class (index of the largest output voltage)");
    add_per_backend("power", &SampleBlock::power_watt, 1, "W",
                    "power per inference (static for the fast evaluator)");
  }
  if (header.spice_every > 0) {
    specs.push_back({"outputs/ngspice_sample", 1, "1", "indices of the samples run in ngspice",
                     &SampleBlock::spice_sample, nullptr, 0, RowsFollow::spice_samples, 1});
    specs.push_back(
        {"outputs/ngspice", header.cols, output_unit,
         "ngspice " + output_kind + "; rows i*K to i*K+K-1 belong to sample ngspice_sample[i]",
         &SampleBlock::spice_outputs, nullptr, 0, RowsFollow::spice_samples, vectors});
    if (network) {
      specs.push_back(
          {"predicted_class/ngspice", 1, "1", "ngspice predicted class; rows as outputs/ngspice",
           &SampleBlock::spice_predicted_class, nullptr, 0, RowsFollow::spice_samples, vectors});
      specs.push_back({"power/ngspice", 1, "W",
                       "ngspice power per inference averaged over the sample's window; rows as "
                       "outputs/ngspice",
                       &SampleBlock::spice_power_watt, nullptr, 0, RowsFollow::spice_samples,
                       vectors});
    }
  }
  return specs;
}

std::vector<std::string> dataset_groups(const DatasetHeader& header) {
  if (is_network(header)) {
    return {"outputs", "power", "predicted_class"};
  }
  return {"outputs"};
}

SampleBlock empty_block(const DatasetHeader& header) {
  SampleBlock block;
  for (const auto& name : header.outputs) {
    block.outputs.emplace_back(name, Eigen::MatrixXd());
    if (is_network(header)) {
      block.predicted_class.emplace_back(name, Eigen::MatrixXd());
      block.power_watt.emplace_back(name, Eigen::MatrixXd());
    }
  }
  return block;
}

const Eigen::MatrixXd& block_rows(const SampleBlock& block, const DatasetSpec& spec) {
  return spec.block_matrix != nullptr ? block.*spec.block_matrix
                                      : (block.*spec.block_list)[spec.list_index].second;
}

Eigen::MatrixXd& block_rows(SampleBlock& block, const DatasetSpec& spec) {
  return spec.block_matrix != nullptr ? block.*spec.block_matrix
                                      : (block.*spec.block_list)[spec.list_index].second;
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
