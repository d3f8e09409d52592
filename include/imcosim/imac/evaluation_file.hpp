#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/imac/evaluation.hpp"

namespace imcosim::imac {

// Input samples of a network: /inputs [K][n_in] volts, optional /labels [K] (class indices).
struct NetworkInputs {
  Eigen::MatrixXd inputs_volt;
  std::optional<std::vector<Eigen::Index>> labels;
};

// Throws io::IoError or ImacError naming the file and the dataset.
NetworkInputs read_network_inputs(const std::filesystem::path& path);
void write_network_inputs(const std::filesystem::path& path, const NetworkInputs& inputs);

// A result file: /outputs [K][n_out] V, /predicted_class [K], /power [K] W, /settled_power [K] W,
// /latency [K] s (NaN when not measured), with layer_outputs_volt /layer_outputs/layer_<l>
// [K][n_l] V per layer, with waveforms /waveforms/sample_<k>/{time_s [T] s, inputs_volt
// [T][n_in] V, outputs_volt [T][n_out] V} per sample that has them, the evaluated samples as an
// input file holds them (/inputs [K][n_in], /labels [K] when labelled; so read_network_inputs reads
// a result file as the inputs it was computed from), plus text and numeric attributes on "/".
// Written atomically.
void write_evaluation(const std::filesystem::path& path, const ImacEvaluation& evaluation,
                      const NetworkInputs& inputs,
                      const std::vector<std::pair<std::string, std::string>>& text_attributes,
                      const std::vector<std::pair<std::string, double>>& number_attributes);
// Members of "/" it does not know are left alone; in /layer_outputs anything but consecutive
// layer_<l> datasets of one row per sample, and in /waveforms anything but sample_<k> groups
// of the three datasets above, throws ImacError naming the file and member.
ImacEvaluation read_evaluation(const std::filesystem::path& path);

}  // namespace imcosim::imac
