#include "imcosim/campaign/monte_carlo_tally.hpp"

#include <algorithm>

#include "imcosim/solver/agreement.hpp"
#include "tally_numbers.hpp"

namespace imcosim::campaign {

namespace {

void append_all(std::vector<double>& values, const Eigen::MatrixXd& matrix) {
  values.insert(values.end(), matrix.data(), matrix.data() + matrix.size());
}

void append_errors(std::vector<double>& errors, const Eigen::MatrixXd& candidate,
                   const Eigen::MatrixXd& reference) {
  const auto agreement = solver::compare_currents(candidate, reference);
  append_all(errors, agreement.relative_per_sample);
}

}  // namespace

MonteCarloTally::MonteCarloTally(const Campaign& campaign) : runs_spice_(campaign.runs_spice()) {
  for (const auto& name : campaign.output_names()) {
    backends_.push_back({name, {}, {}});
  }
  if (runs_spice_) {
    backends_.push_back({"ngspice", {}, {}});
  }
}

void MonteCarloTally::add(const SampleBlock& block) {
  const Eigen::MatrixXd& nominal = block.outputs.front().second;
  for (std::size_t b = 0; b < block.outputs.size(); ++b) {
    const auto& outputs = block.outputs[b].second;
    append_all(backends_[b].outputs, outputs);
    if (b > 0) {
      append_errors(backends_[b].errors, outputs, nominal);
    }
  }
  if (!runs_spice_ || block.spice_sample.rows() == 0) {
    return;
  }
  // The nominal and solver rows of the samples that ran in ngspice.
  const Eigen::Index vectors =
      block.inputs_volt.rows() / std::max<Eigen::Index>(block.sample_count, 1);
  Eigen::MatrixXd spice_nominal(block.spice_outputs.rows(), nominal.cols());
  Eigen::MatrixXd spice_solver(block.spice_outputs.rows(), nominal.cols());
  const auto solver = std::find_if(block.outputs.begin(), block.outputs.end(),
                                   [](const auto& entry) { return entry.first == "solver"; });
  for (Eigen::Index p = 0; p < block.spice_sample.rows(); ++p) {
    const auto position = static_cast<Eigen::Index>(block.spice_sample(p, 0)) - block.first_sample;
    spice_nominal.middleRows(p * vectors, vectors) =
        nominal.middleRows(position * vectors, vectors);
    if (solver != block.outputs.end()) {
      spice_solver.middleRows(p * vectors, vectors) =
          solver->second.middleRows(position * vectors, vectors);
    }
  }
  auto& spice = backends_.back();
  append_all(spice.outputs, block.spice_outputs);
  append_errors(spice.errors, block.spice_outputs, spice_nominal);
  if (solver != block.outputs.end()) {
    append_errors(spice_vs_solver_, block.spice_outputs, spice_solver);
  }
}

std::vector<BackendStatistics> MonteCarloTally::statistics() const {
  std::vector<BackendStatistics> statistics;
  for (const auto& backend : backends_) {
    statistics.push_back({backend.name, summarize(backend.errors), summarize(backend.outputs)});
  }
  return statistics;
}

Summary MonteCarloTally::spice_vs_solver() const { return summarize(spice_vs_solver_); }

void MonteCarloTally::append_numbers(std::vector<double>& numbers) const {
  for (const auto& backend : backends_) {
    tally_numbers::write_list(numbers, backend.errors);
    tally_numbers::write_list(numbers, backend.outputs);
  }
  tally_numbers::write_list(numbers, spice_vs_solver_);
}

void MonteCarloTally::absorb_numbers(const std::vector<double>& numbers, std::size_t& at) {
  for (auto& backend : backends_) {
    tally_numbers::read_list(numbers, at, backend.errors);
    tally_numbers::read_list(numbers, at, backend.outputs);
  }
  tally_numbers::read_list(numbers, at, spice_vs_solver_);
}

}  // namespace imcosim::campaign
