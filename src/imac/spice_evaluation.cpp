#include "imcosim/imac/spice_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/error.hpp"
#include "imcosim/memory_budget.hpp"

namespace imcosim::imac {

namespace {

// A sampled waveform on the transient's time points.
struct Waveform {
  const std::vector<double>& time_s;
  const std::vector<double>& value;

  [[nodiscard]] double at(double t) const {
    const auto upper = std::lower_bound(time_s.begin(), time_s.end(), t);
    if (upper == time_s.begin()) {
      return value.front();
    }
    if (upper == time_s.end()) {
      return value.back();
    }
    const auto b = static_cast<std::size_t>(upper - time_s.begin());
    const std::size_t a = b - 1;
    const double weight = (t - time_s[a]) / (time_s[b] - time_s[a]);
    return value[a] + weight * (value[b] - value[a]);
  }
};

// The vectors of one run, in the order the job requests them: one point per time step
// (transient) or per sample (operating point).
struct RunVectors {
  std::vector<double> time_s;  // transient only
  std::vector<double> i_vdd_ampere;
  std::vector<double> i_vss_ampere;
  std::vector<double> i_neuron_vss_ampere;          // empty when the neurons' low supply is ground
  std::vector<std::vector<double>> i_input_ampere;  // per network input
  std::vector<std::vector<double>> v_output_volt;   // per network output
  // LayerOutputs::every_layer only: per neuron of the hidden layers, layer by layer.
  std::vector<std::vector<double>> v_hidden_volt;
};

// The vectors of one analysis, in the order unpack reads them, in `plot` (e.g. "tran2.").
std::vector<std::string> run_vector_names(const ImacNetwork& network, const DeckOptions& deck,
                                          const std::string& plot) {
  std::vector<std::string> names;
  if (deck.analysis == ImacAnalysis::transient) {
    names.emplace_back("time");
  }
  names.insert(names.end(), {"vdd#branch", "vss#branch"});
  if (network.parameters().neuron_vss_volt != 0.0) {
    names.emplace_back("vnvss#branch");
  }
  for (Eigen::Index i = 0; i < network.input_count(); ++i) {
    std::string name = input_source_name(i) + "#branch";
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    names.push_back(name);
  }
  for (Eigen::Index n = 0; n < network.output_count(); ++n) {
    names.push_back(output_node(network, n));
  }
  if (deck.saved_outputs == LayerOutputs::every_layer) {
    for (std::size_t l = 0; l + 1 < network.layers().size(); ++l) {
      for (Eigen::Index n = 0; n < network.layers()[l].neuron_count; ++n) {
        names.push_back(neuron_output_node(l, n));
      }
    }
  }
  for (auto& name : names) {
    name.insert(0, plot);
  }
  return names;
}

// The type ngspice names a deck's analysis plots by (tran1, tran2, ...; the worker drops every
// plot after a job, so a job's plots count from 1).
std::string plot_type(const DeckOptions& deck) {
  if (deck.analysis == ImacAnalysis::transient) {
    return "tran";
  }
  return deck.starting_point != nullptr ? "dc" : "op";
}

// A job of several samples, each its own analysis: the deck of the first sample alone, then for
// every further sample its inputs altered into the same sources and the analysis run again. Each
// `run` solves its operating point afresh (a transient's initial one, with the started release,
// and a new time-step history), so a sample's result does not depend on its job.
spice::SpiceJob sample_runs_job(const ImacNetwork& network, const Eigen::MatrixXd& inputs_volt,
                                const DeckOptions& deck) {
  spice::SpiceJob job;
  job.netlist_lines = imac_deck(network, inputs_volt.topRows(1), "imcosim imac spice", deck);
  for (Eigen::Index k = 1; k < inputs_volt.rows(); ++k) {
    const auto alter =
        alter_inputs_commands(inputs_volt.row(k), network.parameters(), deck.analysis);
    job.commands.insert(job.commands.end(), alter.begin(), alter.end());
    job.commands.emplace_back("run");
  }
  for (Eigen::Index k = 0; k < inputs_volt.rows(); ++k) {
    const auto names =
        run_vector_names(network, deck, plot_type(deck) + std::to_string(k + 1) + ".");
    job.vector_names.insert(job.vector_names.end(), names.begin(), names.end());
  }
  return job;
}

// The vectors of analysis `run` (0-based) of a job's result.
RunVectors unpack(spice::SpiceResult& result, const ImacNetwork& network, const DeckOptions& deck,
                  std::size_t run_index) {
  const auto per_run = run_vector_names(network, deck, "").size();
  RunVectors run;
  auto next = result.vectors.begin() + static_cast<std::ptrdiff_t>(run_index * per_run);
  if (deck.analysis == ImacAnalysis::transient) {
    run.time_s = std::move(*next++);
  }
  run.i_vdd_ampere = std::move(*next++);
  run.i_vss_ampere = std::move(*next++);
  if (network.parameters().neuron_vss_volt != 0.0) {
    run.i_neuron_vss_ampere = std::move(*next++);
  }
  for (Eigen::Index i = 0; i < network.input_count(); ++i) {
    run.i_input_ampere.push_back(std::move(*next++));
  }
  for (Eigen::Index n = 0; n < network.output_count(); ++n) {
    run.v_output_volt.push_back(std::move(*next++));
  }
  const auto end = result.vectors.begin() + static_cast<std::ptrdiff_t>((run_index + 1) * per_run);
  while (next != end) {
    run.v_hidden_volt.push_back(std::move(*next++));
  }
  return run;
}

// The hidden layers' neuron outputs of `sample` (none unless they were saved), each vector read
// by `value_of` exactly as the network outputs are read.
template <typename ValueOf>
void measure_hidden_outputs(const RunVectors& run, Eigen::Index sample, const ValueOf& value_of,
                            ImacEvaluation& evaluation) {
  auto vector = run.v_hidden_volt.begin();
  for (std::size_t l = 0; l + 1 < evaluation.layer_outputs_volt.size(); ++l) {
    auto& layer = evaluation.layer_outputs_volt[l];
    for (Eigen::Index n = 0; n < layer.cols(); ++n) {
      layer(sample, n) = value_of(*vector++);
    }
  }
}

// Power delivered by the supplies and the input drivers at time point t: -sum V I, since
// ngspice's branch current flows into a source's positive terminal.
double delivered_power_watt(const RunVectors& run, std::size_t t,
                            const Eigen::VectorXd& inputs_volt_at_t,
                            const ImacParameters& parameters) {
  double power =
      -parameters.vdd_volt * run.i_vdd_ampere[t] - parameters.vss_volt * run.i_vss_ampere[t];
  if (!run.i_neuron_vss_ampere.empty()) {
    power -= parameters.neuron_vss_volt * run.i_neuron_vss_ampere[t];
  }
  for (std::size_t i = 0; i < run.i_input_ampere.size(); ++i) {
    power -= inputs_volt_at_t(static_cast<Eigen::Index>(i)) * run.i_input_ampere[i][t];
  }
  return power;
}

// The input voltages the PWL sources apply at time t (window_start ramps of t_edge).
Eigen::VectorXd inputs_at(double t, const Eigen::MatrixXd& inputs_volt,
                          const ImacParameters& parameters) {
  const Eigen::Index windows = inputs_volt.rows();
  Eigen::Index k = static_cast<Eigen::Index>(std::floor(t / parameters.t_sampling_s)) - 1;
  k = std::clamp<Eigen::Index>(k, -1, windows - 1);
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(inputs_volt.cols());
  if (k < 0) {
    return zero;
  }
  const Eigen::VectorXd current = inputs_volt.row(k).transpose();
  const Eigen::VectorXd previous = k == 0 ? zero : Eigen::VectorXd(inputs_volt.row(k - 1));
  const double ramp = (t - window_start_s(k, parameters)) / parameters.t_edge_s;
  if (ramp >= 1.0) {
    return current;
  }
  return previous + std::max(ramp, 0.0) * (current - previous);
}

// Latency of one window: the last time an output is outside the band around its final value,
// interpolated to the band crossing, measured from the window start.
double settling_time_s(const RunVectors& run, double start_s, double end_s, double band_volt) {
  double latest = start_s;
  for (const auto& output : run.v_output_volt) {
    const double final_value = Waveform{run.time_s, output}.at(end_s);
    for (std::size_t t = run.time_s.size(); t-- > 1;) {
      if (run.time_s[t - 1] < start_s) {
        break;
      }
      const double deviation_before = std::abs(output[t - 1] - final_value);
      const double deviation_after = std::abs(output[t] - final_value);
      if (run.time_s[t] <= end_s && deviation_before > band_volt && deviation_after <= band_volt) {
        const double fraction =
            (deviation_before - band_volt) / (deviation_before - deviation_after);
        latest =
            std::max(latest, run.time_s[t - 1] + fraction * (run.time_s[t] - run.time_s[t - 1]));
        break;
      }
    }
  }
  return latest - start_s;
}

void measure_run(const RunVectors& run, const ImacNetwork& network,
                 const Eigen::MatrixXd& inputs_volt, Eigen::Index first_sample,
                 ImacEvaluation& evaluation) {
  const auto& parameters = network.parameters();
  const auto& time = run.time_s;
  for (Eigen::Index k = 0; k < inputs_volt.rows(); ++k) {
    const Eigen::Index sample = first_sample + k;
    const double start = window_start_s(k, parameters);
    const double end = window_start_s(k + 1, parameters);
    const auto at_end = [&](const std::vector<double>& volt) {
      return Waveform{time, volt}.at(end);
    };
    for (Eigen::Index n = 0; n < network.output_count(); ++n) {
      evaluation.outputs_volt(sample, n) = at_end(run.v_output_volt[static_cast<std::size_t>(n)]);
    }
    measure_hidden_outputs(run, sample, at_end, evaluation);
    // Trapezoidal energy over the window's time points, then the average power.
    double energy_j = 0.0;
    double previous_t = start;
    double previous_p = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t t = 0; t < time.size(); ++t) {
      if (time[t] < start || time[t] > end) {
        continue;
      }
      const double power =
          delivered_power_watt(run, t, inputs_at(time[t], inputs_volt, parameters), parameters);
      if (!std::isnan(previous_p)) {
        energy_j += 0.5 * (power + previous_p) * (time[t] - previous_t);
      }
      previous_t = time[t];
      previous_p = power;
    }
    evaluation.power_watt(sample) = energy_j / (previous_t - start);
    const auto last = static_cast<std::size_t>(std::upper_bound(time.begin(), time.end(), end) -
                                               time.begin() - 1);
    evaluation.settled_power_watt(sample) =
        delivered_power_watt(run, last, inputs_at(time[last], inputs_volt, parameters), parameters);
    evaluation.latency_s(sample) = settling_time_s(run, start, end, parameters.settling_band_volt);
  }
}

// The transient of a one-sample run on ngspice's time points: the inputs its sources apply and
// its outputs.
SampleWaveforms sample_waveforms(const RunVectors& run, const Eigen::MatrixXd& inputs_volt,
                                 const ImacParameters& parameters) {
  const auto points = static_cast<Eigen::Index>(run.time_s.size());
  SampleWaveforms waveforms;
  waveforms.time_s = Eigen::Map<const Eigen::VectorXd>(run.time_s.data(), points);
  waveforms.inputs_volt.resize(points, inputs_volt.cols());
  waveforms.outputs_volt.resize(points, static_cast<Eigen::Index>(run.v_output_volt.size()));
  for (Eigen::Index t = 0; t < points; ++t) {
    waveforms.inputs_volt.row(t) = inputs_at(waveforms.time_s(t), inputs_volt, parameters);
    for (std::size_t n = 0; n < run.v_output_volt.size(); ++n) {
      waveforms.outputs_volt(t, static_cast<Eigen::Index>(n)) =
          run.v_output_volt[n][static_cast<std::size_t>(t)];
    }
  }
  return waveforms;
}

// Operating points: point k of every vector is sample k's DC solution; its static power is both
// power figures, and a static solution has no latency.
void measure_operating_points(const RunVectors& run, const ImacNetwork& network,
                              const Eigen::MatrixXd& inputs_volt, Eigen::Index first_sample,
                              ImacEvaluation& evaluation) {
  for (Eigen::Index k = 0; k < inputs_volt.rows(); ++k) {
    const auto point = static_cast<std::size_t>(k);
    const Eigen::Index sample = first_sample + k;
    const auto at_point = [point](const std::vector<double>& volt) { return volt[point]; };
    for (Eigen::Index n = 0; n < network.output_count(); ++n) {
      evaluation.outputs_volt(sample, n) = at_point(run.v_output_volt[static_cast<std::size_t>(n)]);
    }
    measure_hidden_outputs(run, sample, at_point, evaluation);
    const double power =
        delivered_power_watt(run, point, inputs_volt.row(k).transpose(), network.parameters());
    evaluation.power_watt(sample) = power;
    evaluation.settled_power_watt(sample) = power;
  }
}

// ngspice returns one point per sample of an operating-point run, or per step of a started one's
// sweep; anything else (a sweep cut short) must not be read as outputs of the wrong samples.
std::optional<spice::SpiceError> missing_points(const RunVectors& run, Eigen::Index points) {
  for (const auto* voltages : {&run.v_output_volt, &run.v_hidden_volt}) {
    for (const auto& volt : *voltages) {
      if (static_cast<Eigen::Index>(volt.size()) != points) {
        return spice::SpiceError(ErrorKind::runtime, "ngspice returned " +
                                                         std::to_string(volt.size()) +
                                                         " operating points for " +
                                                         std::to_string(points) + " expected");
      }
    }
  }
  return std::nullopt;
}

// A started run's sweep ends at its sample's operating point (imac_deck): keep that point only.
void keep_last_point(RunVectors& run) {
  const auto keep_last = [](std::vector<double>& vector) {
    vector.erase(vector.begin(), vector.end() - 1);
  };
  keep_last(run.i_vdd_ampere);
  keep_last(run.i_vss_ampere);
  if (!run.i_neuron_vss_ampere.empty()) {
    keep_last(run.i_neuron_vss_ampere);
  }
  for (auto& current : run.i_input_ampere) {
    keep_last(current);
  }
  for (auto* voltages : {&run.v_output_volt, &run.v_hidden_volt}) {
    for (auto& volt : *voltages) {
      keep_last(volt);
    }
  }
}

}  // namespace

std::vector<NetworkNodeVoltages> fast_starting_points(const FastEvaluator& evaluator,
                                                      const Eigen::MatrixXd& inputs_volt,
                                                      ImacAnalysis analysis) {
  if (analysis == ImacAnalysis::operating_point) {
    return evaluator.node_voltages(inputs_volt);
  }
  return evaluator.node_voltages(Eigen::MatrixXd::Zero(1, inputs_volt.cols()));
}

std::uint64_t waveform_bytes_lower_bound(const ImacNetwork& network, Eigen::Index samples) {
  const auto& parameters = network.parameters();
  // A one-sample run's transient ends at window_start_s(1) + t_step (imac_deck).
  const double points =
      std::ceil((window_start_s(1, parameters) + parameters.t_step_s) / parameters.t_step_s) + 1.0;
  constexpr auto saturated = std::numeric_limits<std::uint64_t>::max();
  return saturating_product(
      {static_cast<std::uint64_t>(samples),
       points < static_cast<double>(saturated) ? static_cast<std::uint64_t>(points) : saturated,
       static_cast<std::uint64_t>(1 + network.input_count() + network.output_count()),
       sizeof(double)});
}

ImacEvaluation evaluate_with_spice(spice::WorkerPool& pool, const ImacNetwork& network,
                                   const Eigen::MatrixXd& inputs_volt,
                                   const SpiceEvaluationOptions& options) {
  check_network_inputs(network, inputs_volt, "spice inputs");
  if (options.samples_per_run < 1) {
    throw ImacError(ErrorKind::bad_input, "samples per run must be at least 1");
  }
  const Eigen::Index samples = inputs_volt.rows();
  const bool transient = options.analysis == ImacAnalysis::transient;
  if (options.waveforms && !transient) {
    throw ImacError(ErrorKind::bad_input,
                    "waveforms need a transient; an operating point has none");
  }
  const auto starts = static_cast<Eigen::Index>(options.starting_points.size());
  if (starts != 0 && starts != (transient ? 1 : samples)) {
    throw ImacError(ErrorKind::bad_input,
                    "a started " + std::string(imac_analysis_name(options.analysis)) + " needs " +
                        (transient ? std::string("one starting point (idle inputs)")
                                   : "one starting point per sample") +
                        ", not " + std::to_string(starts) + " for " + std::to_string(samples) +
                        " samples");
  }
  // An operating point's start belongs to one sample, so each such sample is its own run (a
  // sweep of its start); a transient's start, the idle state, is every run's.
  const bool started_operating_points = starts != 0 && !transient;
  const Eigen::Index samples_per_run = started_operating_points ? 1 : options.samples_per_run;
  ImacEvaluation evaluation;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  evaluation.outputs_volt.setConstant(samples, network.output_count(), nan);
  evaluation.power_watt.setConstant(samples, nan);
  evaluation.settled_power_watt.setConstant(samples, nan);
  evaluation.latency_s.setConstant(samples, nan);
  if (options.layer_outputs == LayerOutputs::every_layer) {
    for (const auto& layer : network.layers()) {
      evaluation.layer_outputs_volt.emplace_back(
          Eigen::MatrixXd::Constant(samples, layer.neuron_count, nan));
    }
  }
  if (options.waveforms) {
    evaluation.waveforms.resize(static_cast<std::size_t>(samples));
  }

  // 1. One job per batch of samples, each sample its own analysis, spread over the workers.
  const DeckOptions unstarted_deck{
      .analysis = options.analysis, .tiles = options.tiles, .saved_outputs = options.layer_outputs};
  std::vector<spice::SpiceJob> jobs;
  std::vector<Eigen::Index> firsts;
  for (Eigen::Index first = 0; first < samples; first += samples_per_run) {
    const Eigen::Index count = std::min(samples_per_run, samples - first);
    firsts.push_back(first);
    DeckOptions deck = unstarted_deck;
    if (starts != 0) {
      deck.starting_point =
          &options.starting_points[transient ? 0 : static_cast<std::size_t>(first)];
    }
    jobs.push_back(sample_runs_job(network, inputs_volt.middleRows(first, count), deck));
  }
  // 2. Run them a round of workers at a time, so progress can be reported between rounds.
  const auto round = static_cast<std::size_t>(pool.options().worker_count);
  for (std::size_t begin = 0; begin < jobs.size(); begin += round) {
    const std::size_t end = std::min(jobs.size(), begin + round);
    auto results = pool.run_all(std::span(jobs).subspan(begin, end - begin));
    // 3. Measure each sample's window (outputs at its end, power over it, settling within it)
    //    or each operating point.
    for (std::size_t j = begin; j < end; ++j) {
      auto& result = results[j - begin];
      const Eigen::Index first = firsts[j];
      const Eigen::Index count = std::min(samples_per_run, samples - first);
      std::optional<spice::SpiceError> failure;
      std::vector<RunVectors> runs;
      if (auto* error = std::get_if<spice::SpiceError>(&result)) {
        failure = *error;
      }
      for (Eigen::Index k = 0; k < count && !failure; ++k) {
        runs.push_back(unpack(std::get<spice::SpiceResult>(result), network, unstarted_deck,
                              static_cast<std::size_t>(k)));
        if (!transient) {
          failure = missing_points(runs.back(), starts != 0 ? started_operating_point_steps : 1);
        }
      }
      if (failure) {
        if (!options.on_failure) {
          throw *failure;
        }
        options.on_failure(first, count, *failure);
        continue;
      }
      for (Eigen::Index k = 0; k < count; ++k) {
        auto& run = runs[static_cast<std::size_t>(k)];
        const Eigen::MatrixXd sample_inputs = inputs_volt.middleRows(first + k, 1);
        if (transient) {
          measure_run(run, network, sample_inputs, first + k, evaluation);
          if (options.waveforms) {
            evaluation.waveforms[static_cast<std::size_t>(first + k)] =
                sample_waveforms(run, sample_inputs, network.parameters());
          }
          continue;
        }
        if (starts != 0) {
          keep_last_point(run);
        }
        measure_operating_points(run, network, sample_inputs, first + k, evaluation);
      }
    }
    if (options.on_progress) {
      options.on_progress(std::min(samples, static_cast<Eigen::Index>(end) * samples_per_run),
                          samples);
    }
  }
  if (!evaluation.layer_outputs_volt.empty()) {
    evaluation.layer_outputs_volt.back() = evaluation.outputs_volt;
  }
  evaluation.predicted_class = argmax_rows(evaluation.outputs_volt);
  return evaluation;
}

}  // namespace imcosim::imac
