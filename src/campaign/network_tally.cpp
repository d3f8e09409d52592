#include "imcosim/campaign/network_tally.hpp"

#include <algorithm>

#include "tally_numbers.hpp"

namespace imcosim::campaign {

namespace {

// Per row: max_j |a[j] - b[j]|.
void append_max_differences(std::vector<double>& values, const Eigen::MatrixXd& a,
                            const Eigen::MatrixXd& b) {
  const Eigen::VectorXd differences = (a - b).cwiseAbs().rowwise().maxCoeff();
  values.insert(values.end(), differences.data(), differences.data() + differences.size());
}

// The rows of `all` (one per input vector of the block) of the samples run in ngspice.
Eigen::MatrixXd spice_rows(const SampleBlock& block, const Eigen::MatrixXd& all,
                           Eigen::Index vectors) {
  Eigen::MatrixXd rows(block.spice_sample.rows() * vectors, all.cols());
  for (Eigen::Index p = 0; p < block.spice_sample.rows(); ++p) {
    const auto position = static_cast<Eigen::Index>(block.spice_sample(p, 0)) - block.first_sample;
    rows.middleRows(p * vectors, vectors) = all.middleRows(position * vectors, vectors);
  }
  return rows;
}

}  // namespace

NetworkTally::NetworkTally(const Campaign& campaign) : runs_spice_(campaign.runs_spice()) {
  for (const auto& name : campaign.output_names()) {
    backends_.push_back({name, {}, {}, {}, 0, 0, 0, 0});
  }
  if (runs_spice_) {
    backends_.push_back({"ngspice", {}, {}, {}, 0, 0, 0, 0});
  }
}

void NetworkTally::add_backend(Values& values, const Eigen::MatrixXd& outputs_volt,
                               const Eigen::MatrixXd& predicted_class,
                               const Eigen::MatrixXd& power_watt,
                               const Eigen::MatrixXd& nominal_volt,
                               const Eigen::MatrixXd& nominal_class, const Eigen::MatrixXd& labels,
                               bool is_nominal) {
  values.outputs.insert(values.outputs.end(), outputs_volt.data(),
                        outputs_volt.data() + outputs_volt.size());
  values.power.insert(values.power.end(), power_watt.data(), power_watt.data() + power_watt.size());
  values.vectors += outputs_volt.rows();
  if (labels.size() != 0) {
    values.correct += (predicted_class.array() == labels.array()).count();
    values.labelled += labels.rows();
  }
  if (!is_nominal) {
    append_max_differences(values.errors, outputs_volt, nominal_volt);
    values.class_flips += (predicted_class.array() != nominal_class.array()).count();
  }
}

void NetworkTally::add(const SampleBlock& block) {
  const Eigen::MatrixXd& nominal = block.outputs.front().second;
  const Eigen::MatrixXd& nominal_class = block.predicted_class.front().second;
  for (std::size_t b = 0; b < block.outputs.size(); ++b) {
    add_backend(backends_[b], block.outputs[b].second, block.predicted_class[b].second,
                block.power_watt[b].second, nominal, nominal_class, block.labels, b == 0);
  }
  if (!runs_spice_ || block.spice_sample.rows() == 0) {
    return;
  }
  // ngspice against the nominal network and against the fast evaluator on the same devices.
  const Eigen::Index vectors =
      block.inputs_volt.rows() / std::max<std::int64_t>(block.sample_count, 1);
  add_backend(
      backends_.back(), block.spice_outputs, block.spice_predicted_class, block.spice_power_watt,
      spice_rows(block, nominal, vectors), spice_rows(block, nominal_class, vectors),
      block.labels.size() == 0 ? block.labels : spice_rows(block, block.labels, vectors), false);
  const auto fast = std::find_if(block.outputs.begin(), block.outputs.end(),
                                 [](const auto& entry) { return entry.first == "fast"; });
  if (fast != block.outputs.end()) {
    append_max_differences(spice_vs_fast_, block.spice_outputs,
                           spice_rows(block, fast->second, vectors));
  }
}

std::vector<NetworkBackendStatistics> NetworkTally::statistics() const {
  std::vector<NetworkBackendStatistics> statistics;
  for (const auto& backend : backends_) {
    statistics.push_back({backend.name, summarize(backend.errors), backend.class_flips,
                          backend.vectors, backend.correct, backend.labelled,
                          summarize(backend.outputs), summarize(backend.power)});
  }
  return statistics;
}

Summary NetworkTally::spice_vs_fast_volt() const { return summarize(spice_vs_fast_); }

void NetworkTally::append_numbers(std::vector<double>& numbers) const {
  for (const auto& backend : backends_) {
    tally_numbers::write_list(numbers, backend.errors);
    tally_numbers::write_list(numbers, backend.outputs);
    tally_numbers::write_list(numbers, backend.power);
    for (const auto count :
         {backend.class_flips, backend.vectors, backend.correct, backend.labelled}) {
      tally_numbers::write_count(numbers, count);
    }
  }
  tally_numbers::write_list(numbers, spice_vs_fast_);
}

void NetworkTally::absorb_numbers(const std::vector<double>& numbers, std::size_t& at) {
  for (auto& backend : backends_) {
    tally_numbers::read_list(numbers, at, backend.errors);
    tally_numbers::read_list(numbers, at, backend.outputs);
    tally_numbers::read_list(numbers, at, backend.power);
    for (auto* count :
         {&backend.class_flips, &backend.vectors, &backend.correct, &backend.labelled}) {
      *count += tally_numbers::read_count(numbers, at);
    }
  }
  tally_numbers::read_list(numbers, at, spice_vs_fast_);
}

}  // namespace imcosim::campaign
