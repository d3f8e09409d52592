#pragma once

#include <Eigen/Core>
#include <vector>

namespace imcosim::imac {

// One sample's transient as ngspice computed it, on ngspice's own time points.
struct SampleWaveforms {
  // T: seconds from the start of the sample's own run: the idle window 0 (every input 0 V),
  // then the sample's window from t_sampling (window_start_s(0)).
  Eigen::VectorXd time_s;
  Eigen::MatrixXd inputs_volt;   // T x n_in: what the input sources apply (PWL, t_edge ramps)
  Eigen::MatrixXd outputs_volt;  // T x n_out: the output neurons
};

// What both back-ends report per input sample (docs/imac.md defines each figure).
struct ImacEvaluation {
  Eigen::MatrixXd outputs_volt;  // K x n_out: output neuron voltages at the end of each window
  // K: index of the largest output voltage; no_class where the sample has no outputs (NaN).
  std::vector<Eigen::Index> predicted_class;
  // K: average power per inference, watts: the power delivered by the supplies (vdd, vss, and
  // the neurons' low supply when it is not ground) and the input drivers, averaged over the
  // sample's window. The fast back-end gives the settled (static) value.
  Eigen::VectorXd power_watt;
  // K: the same power at the end of the window (settled operating point), watts.
  Eigen::VectorXd settled_power_watt;
  // K: latency, seconds: from the start of the window until every output stays within the
  // settling band of its end-of-window value. NaN from the fast (static) back-end.
  Eigen::VectorXd latency_s;
  // LayerOutputs::every_layer only (else empty): per layer l, K x n_l, the neuron output
  // voltages of layer l, measured as outputs_volt is (the last layer's equal outputs_volt).
  std::vector<Eigen::MatrixXd> layer_outputs_volt;
  // SpiceEvaluationOptions::waveforms only (else empty): per sample k, its transient; empty
  // (no time points) for a sample whose ngspice run failed.
  std::vector<SampleWaveforms> waveforms;
};

// Which neuron outputs a back-end reports.
enum class LayerOutputs {
  network_outputs_only,  // the last layer's: ImacEvaluation::outputs_volt
  every_layer,           // also ImacEvaluation::layer_outputs_volt (hidden layers included)
};

// The predicted class of a sample that could not be evaluated.
inline constexpr Eigen::Index no_class = -1;

// Index of the largest entry of each row (the first one on ties); no_class for a row with NaN.
std::vector<Eigen::Index> argmax_rows(const Eigen::MatrixXd& values);

}  // namespace imcosim::imac
