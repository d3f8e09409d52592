// imcosim imac netlist|spice|fast|validate: IMAC fully-connected networks at circuit level.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "command_line.hpp"
#include "imcosim/error.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/error.hpp"
#include "imcosim/imac/evaluation_file.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/imac/model.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/imac/spice_evaluation.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/memory_budget.hpp"
#include "imcosim/version.hpp"
#include "neuron_cache_option.hpp"
#include "progress_report.hpp"
#include "run_output.hpp"
#include "si_units.hpp"
#include "spice_options.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

// Agreement the fast back-end must reach against ngspice on every output (the bar).
constexpr double validation_tolerance_volt = 2e-3;

const char* const subcommand_help =
    "Usage: imcosim imac SUBCOMMAND MODEL.h5 --inputs INPUTS.h5 [options]\n"
    "\n"
    "IMAC fully-connected networks at circuit level (docs/imac.md):\n"
    "  netlist   write the ngspice deck of the whole network for the input samples\n"
    "  spice     simulate it in ngspice (transient): outputs, classes, power, latency\n"
    "  fast      evaluate the same circuit without SPICE (exact tiles, amplifier equations,\n"
    "            neurons from a cached ngspice characterisation)\n"
    "  validate  run both and compare every output voltage (tolerance 2 mV) and class\n"
    "Run 'imcosim imac SUBCOMMAND --help' for a subcommand's options.\n";

void add_network_options(CommandSyntax& syntax) {
  syntax.options.add_options()("model", po::value<std::string>()->required(),
                               "trained network (HDF5: /layers/<l>/weight, /layers/<l>/bias)")(
      "inputs", po::value<std::string>()->required(),
      "input samples (HDF5: /inputs [K][n_in] volts, optional /labels [K])")(
      "config", po::value<std::string>(),
      "circuit parameters (INI); defaults are the reference design (docs/imac.md)");
  add_sample_range_options(syntax);
  syntax.positional.add("model", 1);
  syntax.input_files = {"model", "inputs", "config"};
  syntax.output_files = {"output"};
}

void add_analysis_option(CommandSyntax& syntax) {
  syntax.options.add_options()(
      "analysis", po::value<std::string>()->default_value("tran"),
      "tran: one transient window per sample (outputs, power, latency); op: each sample's DC "
      "operating point, the fast path's exact counterpart (static power, no latency)");
}

// --op-start: where ngspice's Newton iteration starts the initial operating point. `fast` is
// the default of the commands that simulate (they need a starting point beyond small
// networks); `netlist` writes a plain deck unless asked, since a started operating-point deck
// holds one sample.
void add_op_start_option(CommandSyntax& syntax, const std::string& default_start) {
  syntax.options.add_options()(
      "op-start", po::value<std::string>()->default_value(default_start),
      "fast = started from the fast path's op-amp and neuron outputs, released step by step "
      "(--analysis op: each sample its own run, a DC sweep whose last point is the operating "
      "point; tran: the idle inputs' solution, released in the idle window 0), which converges "
      "by Newton's method on any size; zero = from ngspice's own start, which falls into gmin "
      "stepping beyond small networks (docs/imac.md)");
}

// True when the initial operating points start from the fast path's solution.
bool fast_op_start(const po::variables_map& values) {
  const std::string start = values["op-start"].as<std::string>();
  if (start != "fast" && start != "zero") {
    throw UsageError("--op-start must be fast or zero, not '" + start + "'");
  }
  return start == "fast";
}

// --tiles: how the decks draw the crossbar tiles.
void add_tiles_option(CommandSyntax& syntax) {
  syntax.options.add_options()(
      "tiles", po::value<std::string>()->default_value("wires"),
      "wires = every cell and wire segment; ports = each tile as its exact port admittance "
      "(a resistor between every two pins, computed as the fast path does), the same circuit "
      "when the wires have no capacitance (c_segment = 0) and far fewer nodes: it makes "
      "transients of full-size networks with wires feasible (docs/imac.md)");
}

imac::TileForm tiles_option(const po::variables_map& values) {
  const std::string tiles = values["tiles"].as<std::string>();
  if (tiles != "wires" && tiles != "ports") {
    throw UsageError("--tiles must be wires or ports, not '" + tiles + "'");
  }
  return tiles == "ports" ? imac::TileForm::port_admittance : imac::TileForm::wires;
}

// --hidden-outputs: every layer's neuron outputs in the result file, not only the last layer's.
void add_hidden_outputs_option(CommandSyntax& syntax) {
  syntax.options.add_options()(
      "hidden-outputs", po::bool_switch(),
      "also write every layer's neuron output voltages, the hidden layers' included, to the "
      "result file: /layer_outputs/layer_<l> [K][n_l] (docs/imac.md)");
}

// network_outputs_only for the subcommands without the option (validate).
imac::LayerOutputs layer_outputs_option(const po::variables_map& values) {
  return values.count("hidden-outputs") != 0 && values["hidden-outputs"].as<bool>()
             ? imac::LayerOutputs::every_layer
             : imac::LayerOutputs::network_outputs_only;
}

// --waveforms (imac spice): every sample's transient in the result file.
void add_waveforms_option(CommandSyntax& syntax) {
  syntax.options.add_options()(
      "waveforms", po::bool_switch(),
      "also write every sample's transient to the result file (needs --analysis tran): "
      "/waveforms/sample_<k>/{time_s, inputs_volt, outputs_volt} (docs/imac.md)");
}

imac::ImacAnalysis analysis_option(const po::variables_map& values) {
  try {
    return imac::parse_imac_analysis(values["analysis"].as<std::string>());
  } catch (const imac::ImacError& error) {
    throw UsageError(std::string("--analysis: ") + error.what());
  }
}

// False for the subcommands without the option (fast, validate).
bool waveforms_option(const po::variables_map& values) {
  return values.count("waveforms") != 0 && values["waveforms"].as<bool>();
}

struct Network {
  imac::ImacNetwork network;
  imac::NetworkInputs inputs;
  std::string model_path;
  std::string inputs_path;
  long first = 0;  // the first sample of the inputs file that `inputs` hold
};

Network load_network(const po::variables_map& values) {
  const std::string model_path = values["model"].as<std::string>();
  const auto model = imac::read_model(model_path);
  const auto parameters = values.count("config") != 0
                              ? imac::read_parameters(values["config"].as<std::string>())
                              : imac::ImacParameters{};
  auto inputs = imac::read_network_inputs(values["inputs"].as<std::string>());
  imac::ImacNetwork network(model, parameters,
                            values.count("config") != 0 ? values["config"].as<std::string>()
                                                        : "the default IMAC parameters");
  if (inputs.labels) {
    imac::check_network_labels(network, *inputs.labels, values["inputs"].as<std::string>());
  }
  const auto [first, count] =
      sample_range(values, inputs.inputs_volt.rows(), values["inputs"].as<std::string>());
  inputs.inputs_volt = inputs.inputs_volt.middleRows(first, count).eval();
  if (inputs.labels) {
    inputs.labels = std::vector<Eigen::Index>(inputs.labels->begin() + first,
                                              inputs.labels->begin() + first + count);
  }
  imac::check_network_inputs(network, inputs.inputs_volt, values["inputs"].as<std::string>());
  return {std::move(network), std::move(inputs), model_path, values["inputs"].as<std::string>(),
          first};
}

std::string shape_text(const imac::ImacNetwork& network) {
  std::string text = std::to_string(network.input_count());
  for (const auto& layer : network.layers()) {
    text += "-" + std::to_string(layer.neuron_count);
  }
  return text;
}

void print_network(const imac::ImacNetwork& network) {
  const auto& parameters = network.parameters();
  summary_out() << "network " << shape_text(network) << " ("
                << imac::encoding_name(network.encoding()) << " weights), " << network.tile_count()
                << " tiles of " << parameters.xbar_rows << " rows x " << parameters.xbar_cols
                << " neurons; crossbar area " << network.crossbar_area_m2() * 1e12 << " um^2\n";
  summary_out() << "wires (" << imac::wire_model_name(parameters.wire_model)
                << "): " << network.segments().input_line_ohm << " ohm per input-line segment, "
                << network.segments().output_line_ohm << " ohm per output-line segment; sensing "
                << imac::sensing_scheme_name(parameters.sensing) << "; neuron "
                << imac::neuron_kind_name(parameters.neuron) << "\n";
  for (std::size_t l = 0; l < network.layers().size(); ++l) {
    const auto& layer = network.layers()[l];
    summary_out() << "  layer " << l << ": " << layer.input_count << " inputs + bias -> "
                  << layer.neuron_count << " neurons, " << layer.horizontal_partitions() << " x "
                  << layer.vertical_partitions() << " partitions, gain "
                  << layer.amplifier.r_f_ohm / layer.amplifier.r_in_ohm
                  << (layer.summed() ? ", partial outputs averaged by a summer" : "") << "\n";
  }
}

double mean(const Eigen::VectorXd& values) {
  double sum = 0.0;
  long count = 0;
  for (const double v : values) {
    if (!std::isnan(v)) {
      sum += v;
      ++count;
    }
  }
  return count == 0 ? std::nan("") : sum / static_cast<double>(count);
}

// The per-run summary table: one line per sample (up to 20), then the aggregate figures.
void print_summary(const imac::ImacEvaluation& evaluation, const imac::NetworkInputs& inputs,
                   const std::string& backend, double elapsed_s) {
  const Eigen::Index samples = evaluation.outputs_volt.rows();
  constexpr Eigen::Index shown = 20;
  // The power column in the unit of its largest value; latency in ps (IMAC settles in ~100 ps).
  const auto power_unit = si_prefix_for(
      evaluation.power_watt.size() > 0 ? evaluation.power_watt.cwiseAbs().maxCoeff() : 0.0);
  summary_out() << std::setw(7) << "sample" << std::setw(7) << "class" << std::setw(7) << "label"
                << std::setw(12) << ("power_" + std::string(power_unit.prefix) + "W")
                << std::setw(12) << "latency_ps"
                << "  outputs_V\n";
  for (Eigen::Index k = 0; k < std::min(samples, shown); ++k) {
    const auto index = static_cast<std::size_t>(k);
    summary_out() << std::setw(7) << k << std::setw(7) << evaluation.predicted_class[index]
                  << std::setw(7) << (inputs.labels ? std::to_string((*inputs.labels)[index]) : "-")
                  << std::setw(12) << std::fixed << std::setprecision(2)
                  << evaluation.power_watt(k) * power_unit.factor << std::setw(12)
                  << std::setprecision(1) << evaluation.latency_s(k) * 1e12 << " "
                  << std::setprecision(4);
    for (Eigen::Index n = 0; n < evaluation.outputs_volt.cols(); ++n) {
      summary_out() << " " << evaluation.outputs_volt(k, n);
    }
    summary_out() << std::defaultfloat << "\n";
  }
  if (samples > shown) {
    summary_out() << "  ... " << samples - shown << " more samples in the result file\n";
  }
  summary_out() << backend << ": " << samples << " samples in " << elapsed_s << " s ("
                << static_cast<double>(samples) / elapsed_s << " samples/s); mean power "
                << si_text(mean(evaluation.power_watt), "W") << " per inference";
  if (!std::isnan(mean(evaluation.latency_s))) {
    summary_out() << "; latency mean " << si_text(mean(evaluation.latency_s), "s") << ", max "
                  << si_text(evaluation.latency_s.maxCoeff(), "s");
  }
  summary_out() << "\n";
  auto& summary = json_summary();
  summary.set("backend", backend)
      .set("samples", samples)
      .set("elapsed_s", elapsed_s)
      .set("mean_power_watt", mean(evaluation.power_watt))
      .set("mean_latency_s", mean(evaluation.latency_s))
      .set("max_latency_s",
           std::isnan(mean(evaluation.latency_s)) ? std::nan("") : evaluation.latency_s.maxCoeff());
  if (inputs.labels) {
    long correct = 0;
    for (std::size_t k = 0; k < inputs.labels->size(); ++k) {
      correct += evaluation.predicted_class[k] == (*inputs.labels)[k] ? 1 : 0;
    }
    const double accuracy_percent =
        100.0 * static_cast<double>(correct) / static_cast<double>(samples);
    summary_out() << "accuracy " << accuracy_percent << "% (" << correct << "/" << samples << ")\n";
    summary.set("correct", correct).set("accuracy_percent", accuracy_percent);
  }
}

// Every circuit value as a number attribute of its own (the non-numeric ones are text
// attributes, circuit_text_attributes), the tile size and the crossbar area.
std::vector<std::pair<std::string, double>> parameter_attributes(const imac::ImacNetwork& network) {
  const auto& parameters = network.parameters();
  std::vector<std::pair<std::string, double>> attributes;
  for (const auto& parameter : imac::imac_parameters()) {
    attributes.emplace_back(std::string(parameter.spec.name), parameters.*parameter.field);
  }
  attributes.emplace_back("xbar_rows", parameters.xbar_rows);
  attributes.emplace_back("xbar_cols", parameters.xbar_cols);
  attributes.emplace_back("crossbar_area_m2", network.crossbar_area_m2());
  return attributes;
}

// The circuit's non-numeric values, the whole circuit as the INI text that --config reads back,
// and where the samples came from.
std::vector<std::pair<std::string, std::string>> circuit_text_attributes(const Network& loaded) {
  const auto& parameters = loaded.network.parameters();
  return {{"encoding", imac::encoding_name(loaded.network.encoding())},
          {"wire_model", imac::wire_model_name(parameters.wire_model)},
          {"sensing", imac::sensing_scheme_name(parameters.sensing)},
          {"neuron", imac::neuron_kind_name(parameters.neuron)},
          {"amp_gains", imac::amp_gains_text(parameters)},
          {"circuit", imac::parameters_text(parameters)},
          {"inputs_file", loaded.inputs_path}};
}

// `provenance`: text attributes particular to the back-end (ngspice's version, solver, analysis).
void write_result(const po::variables_map& values, const Network& loaded,
                  const imac::ImacEvaluation& evaluation, const std::string& backend,
                  std::vector<std::pair<std::string, std::string>> provenance, double elapsed_s) {
  if (values.count("output") == 0) {
    return;
  }
  auto numbers = parameter_attributes(loaded.network);
  numbers.emplace_back("first_sample", static_cast<double>(loaded.first));
  numbers.emplace_back("elapsed_s", elapsed_s);
  provenance.insert(provenance.begin(), {{"backend", backend},
                                         {"imcosim_version", std::string(version_string)},
                                         {"model_file", loaded.model_path},
                                         {"network", shape_text(loaded.network)}});
  const auto circuit = circuit_text_attributes(loaded);
  provenance.insert(provenance.end(), circuit.begin(), circuit.end());
  write_evaluation(values["output"].as<std::string>(), evaluation, loaded.inputs, provenance,
                   numbers);
  summary_out() << "wrote " << values["output"].as<std::string>() << "\n";
  json_summary().set("output", values["output"].as<std::string>());
}

// Samples per ngspice job: as given, or spread evenly over the workers (so that they all work),
// at most 16 transients or 64 operating points per job (so that progress shows and a failed job
// loses little; a DC point costs far less than a transient, so more of them share one parse).
// Each transient is its sample's own, so this changes the run time, never the results.
imac::SpiceEvaluationOptions spice_evaluation_options(const po::variables_map& values,
                                                      Eigen::Index samples) {
  const imac::ImacAnalysis analysis = analysis_option(values);
  const Eigen::Index max_default_samples_per_run =
      analysis == imac::ImacAnalysis::transient ? 16 : 64;
  Eigen::Index samples_per_run = 0;
  if (values.count("samples-per-run") != 0) {
    samples_per_run = values["samples-per-run"].as<long>();
    if (samples_per_run < 1) {
      throw UsageError("--samples-per-run must be at least 1, not " +
                       std::to_string(samples_per_run));
    }
  } else {
    const Eigen::Index workers = values["workers"].as<int>();
    samples_per_run =
        std::clamp<Eigen::Index>((samples + workers - 1) / workers, 1, max_default_samples_per_run);
  }
  imac::SpiceEvaluationOptions options;
  options.analysis = analysis;
  options.samples_per_run = samples_per_run;
  options.tiles = tiles_option(values);
  options.layer_outputs = layer_outputs_option(values);
  options.waveforms = waveforms_option(values);
  options.on_progress = progress_lines();
  return options;
}

// The version and solver for the result file; asking them is one more ngspice job, which may
// fail where the simulation runs failed (e.g. a tiny --timeout), and must not lose their results.
spice::NgspiceInfo ngspice_info_or_unknown(spice::WorkerPool& pool) {
  try {
    return spice::ngspice_info(pool);
  } catch (const spice::SpiceError&) {
    return {"version unknown", false, spice::LinearSolver::automatic};
  }
}

// With `failures`, a failed ngspice run leaves its samples NaN, is described there, and the
// other runs go on; without, it throws.
// With `start`, the initial operating points start from its solution (--op-start fast).
imac::ImacEvaluation run_spice(const po::variables_map& values, const Network& loaded,
                               spice::WorkerPool& pool, const imac::FastEvaluator* start,
                               double& elapsed_s, std::vector<std::string>* failures = nullptr) {
  const Stopwatch run_time;
  auto options = spice_evaluation_options(values, loaded.inputs.inputs_volt.rows());
  if (start != nullptr) {
    options.starting_points =
        imac::fast_starting_points(*start, loaded.inputs.inputs_volt, options.analysis);
  }
  if (failures != nullptr) {
    options.on_failure = [failures](Eigen::Index first, Eigen::Index count,
                                    const spice::SpiceError& error) {
      failures->push_back("samples " + std::to_string(first) + " to " +
                          std::to_string(first + count - 1) + ": " + error.what());
      std::cerr << "ngspice failed on " << failures->back() << "\n";
    };
  }
  auto evaluation =
      imac::evaluate_with_spice(pool, loaded.network, loaded.inputs.inputs_volt, options);
  elapsed_s = run_time.elapsed_s();
  return evaluation;
}

// --waveforms is refused, before anything runs, without a transient and when the waveforms
// would not fit in memory: every sample's are held until the result file is written.
void check_waveforms_request(const po::variables_map& values, const Network& loaded) {
  if (analysis_option(values) != imac::ImacAnalysis::transient) {
    throw UsageError("--waveforms needs --analysis tran: an operating point has no waveforms");
  }
  const auto shortfall = memory_shortfall(
      imac::waveform_bytes_lower_bound(loaded.network, loaded.inputs.inputs_volt.rows()),
      "--waveforms of " + std::to_string(loaded.inputs.inputs_volt.rows()) + " samples");
  if (!shortfall.empty()) {
    throw UsageError(loaded.inputs_path + ": " + shortfall +
                     "; select fewer samples with --first and --count");
  }
}

// The fast path's evaluator: the neuron table (characterised by ngspice, or from the cache),
// then the set-up.
imac::FastEvaluator fast_evaluator(const po::variables_map& values, const Network& loaded,
                                   spice::WorkerPool& pool) {
  const auto& parameters = loaded.network.parameters();
  const Stopwatch characterise_time;
  auto table =
      imac::characterise_neuron(pool, imac::neuron_circuit(parameters),
                                imac::neuron_grid_for(parameters), neuron_cache_directory(values));
  summary_out() << "neuron table: " << table.key() << " (" << characterise_time.elapsed_s()
                << " s, cached in " << neuron_cache_directory(values).string() << ")\n";
  const Stopwatch setup_time;
  imac::FastEvaluator evaluator(loaded.network, std::move(table));
  summary_out() << "fast set-up (tile port admittances, amplifier terminations): "
                << setup_time.elapsed_s() << " s\n";
  return evaluator;
}

imac::ImacEvaluation run_fast(const imac::FastEvaluator& evaluator, const Network& loaded,
                              imac::LayerOutputs layer_outputs, double& elapsed_s) {
  // Blocks of samples, so that a long batch shows its progress; each block spreads over the
  // cores.
  constexpr Eigen::Index block_samples = 4096;
  const Eigen::MatrixXd& inputs = loaded.inputs.inputs_volt;
  const Eigen::Index samples = inputs.rows();
  imac::ImacEvaluation evaluation;
  evaluation.outputs_volt.resize(samples, loaded.network.output_count());
  evaluation.power_watt.resize(samples);
  evaluation.settled_power_watt.resize(samples);
  evaluation.latency_s.resize(samples);
  if (layer_outputs == imac::LayerOutputs::every_layer) {
    for (const auto& layer : loaded.network.layers()) {
      evaluation.layer_outputs_volt.emplace_back(samples, layer.neuron_count);
    }
  }
  ProgressReport progress("fast", samples, 0);
  const Stopwatch evaluate_time;
  for (Eigen::Index first = 0; first < samples; first += block_samples) {
    const Eigen::Index count = std::min(block_samples, samples - first);
    auto block = evaluator.evaluate(inputs.middleRows(first, count), layer_outputs);
    evaluation.outputs_volt.middleRows(first, count) = block.outputs_volt;
    evaluation.power_watt.segment(first, count) = block.power_watt;
    evaluation.settled_power_watt.segment(first, count) = block.settled_power_watt;
    evaluation.latency_s.segment(first, count) = block.latency_s;
    for (std::size_t l = 0; l < block.layer_outputs_volt.size(); ++l) {
      evaluation.layer_outputs_volt[l].middleRows(first, count) = block.layer_outputs_volt[l];
    }
    evaluation.predicted_class.insert(evaluation.predicted_class.end(),
                                      block.predicted_class.begin(), block.predicted_class.end());
    progress.update(first + count);
  }
  elapsed_s = evaluate_time.elapsed_s();
  progress.finish();
  return evaluation;
}

int run_imac_netlist(const std::vector<std::string>& args) {
  CommandSyntax syntax("imac netlist", "MODEL.h5 --inputs INPUTS.h5 -o DECK.cir [options]",
                       "Writes the ngspice deck of the whole IMAC network for the input samples:\n"
                       "models and subcircuits inlined, one sample per t_sampling window (PWL),\n"
                       "a transient analysis and a .meas of every output at the end of each\n"
                       "window; or (--analysis op) a DC sweep with one operating point per\n"
                       "sample. It runs unchanged in 'ngspice -b DECK.cir'.");
  add_network_options(syntax);
  add_analysis_option(syntax);
  add_op_start_option(syntax, "zero");
  add_tiles_option(syntax);
  add_neuron_cache_option(syntax);
  add_spice_solver_option(syntax);
  syntax.options.add_options()("output,o", po::value<std::string>()->required(),
                               "deck file to write");
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const auto loaded = load_network(*values);
  const auto analysis = analysis_option(*values);
  std::vector<imac::NetworkNodeVoltages> start;
  if (fast_op_start(*values)) {
    if (analysis == imac::ImacAnalysis::operating_point && loaded.inputs.inputs_volt.rows() != 1) {
      throw UsageError(
          "--op-start fast writes one sample's operating point; select it with --first and "
          "--count 1");
    }
    spice::WorkerPool pool({});
    start = imac::fast_starting_points(fast_evaluator(*values, loaded, pool),
                                       loaded.inputs.inputs_volt, analysis);
  }
  auto lines = imac::imac_deck(loaded.network, loaded.inputs.inputs_volt,
                               "IMAC " + shape_text(loaded.network),
                               {.analysis = analysis,
                                .starting_point = start.empty() ? nullptr : &start.front(),
                                .tiles = tiles_option(*values)});
  if (const std::string option = written_deck_solver_option(*values); !option.empty()) {
    lines.insert(lines.begin() + 1, option);
  }
  std::string deck;
  for (const auto& line : lines) {
    deck += line;
    deck += '\n';
  }
  const auto output = (*values)["output"].as<std::string>();
  io::write_text_atomically(output, deck);
  print_network(loaded.network);
  summary_out() << "wrote " << output << " (" << lines.size() << " lines, "
                << loaded.inputs.inputs_volt.rows() << " samples)\n";
  json_summary()
      .set("network", shape_text(loaded.network))
      .set("tiles", loaded.network.tile_count())
      .set("samples", loaded.inputs.inputs_volt.rows())
      .set("lines", lines.size())
      .set("output", output);
  return 0;
}

enum class Backend { spice, fast };

// `imac spice` and `imac fast`: the same network, inputs, summary and result file; only the
// back-end differs.
int run_imac_evaluation(const std::vector<std::string>& args, Backend backend) {
  const bool through_ngspice = backend == Backend::spice;
  CommandSyntax syntax(
      through_ngspice ? "imac spice" : "imac fast",
      "MODEL.h5 --inputs INPUTS.h5 [-o RESULT.h5] [options]",
      through_ngspice ? "Simulates the IMAC network in ngspice (transient) and reports per sample\n"
                        "the output voltages, the predicted class, the average power per\n"
                        "inference and the latency (docs/imac.md defines both); or, with\n"
                        "--analysis op, each sample's operating point and static power."
                      : "Evaluates the same IMAC circuit without SPICE: tiles solved exactly, the\n"
                        "amplifiers as their circuit equations (finite gain, rails), the neurons\n"
                        "through their DC characteristic (one ngspice sweep, cached) loaded by\n"
                        "the next layer. Reports outputs, classes and static power per sample.");
  add_network_options(syntax);
  if (through_ngspice) {
    add_analysis_option(syntax);
    add_op_start_option(syntax, "fast");
    add_tiles_option(syntax);
    add_waveforms_option(syntax);
  }
  add_hidden_outputs_option(syntax);
  add_neuron_cache_option(syntax);
  add_spice_options(syntax, through_ngspice ? SpiceRuns::transients : SpiceRuns::characterisation);
  syntax.options.add_options()("output,o", po::value<std::string>(), "result file (HDF5)");
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const auto loaded = load_network(*values);
  if (waveforms_option(*values)) {
    check_waveforms_request(*values, loaded);
  }
  spice::WorkerPool pool(worker_pool_options(*values));
  print_network(loaded.network);
  double elapsed_s = 0.0;
  std::vector<std::string> failures;
  std::optional<imac::FastEvaluator> evaluator;
  if (!through_ngspice || fast_op_start(*values)) {
    evaluator.emplace(fast_evaluator(*values, loaded, pool));
  }
  const auto evaluation =
      through_ngspice ? run_spice(*values, loaded, pool, evaluator ? &*evaluator : nullptr,
                                  elapsed_s, &failures)
                      : run_fast(*evaluator, loaded, layer_outputs_option(*values), elapsed_s);
  std::string backend_name = "fast";
  std::vector<std::pair<std::string, std::string>> provenance;
  if (through_ngspice) {
    const auto ngspice = ngspice_info_or_unknown(pool);
    const std::string solver(spice::linear_solver_name(ngspice.solver));
    const std::string analysis((*values)["analysis"].as<std::string>());
    backend_name = "spice (ngspice " + ngspice.version + ", " + solver + ", " + analysis + ")";
    provenance = {{"ngspice_version", ngspice.version},
                  {"ngspice_solver", solver},
                  {"analysis", analysis},
                  {"op_start", (*values)["op-start"].as<std::string>()},
                  {"tiles", (*values)["tiles"].as<std::string>()}};
  }
  print_summary(evaluation, loaded.inputs, backend_name, elapsed_s);
  write_result(*values, loaded, evaluation, backend_name, provenance, elapsed_s);
  if (!failures.empty()) {
    throw Error(ErrorKind::runtime,
                std::to_string(failures.size()) +
                    " ngspice run(s) failed; their samples are NaN (class -1) in the results, "
                    "the first: " +
                    failures.front());
  }
  return 0;
}

int run_imac_validate(const std::vector<std::string>& args) {
  CommandSyntax syntax("imac validate", "MODEL.h5 --inputs INPUTS.h5 [options]",
                       "Runs the network in ngspice and with the fast back-end and compares every\n"
                       "output voltage (tolerance 2 mV) and every predicted class. Exits 1 when\n"
                       "they disagree. --analysis op compares the operating points, the fast\n"
                       "path's exact counterpart.");
  add_network_options(syntax);
  add_analysis_option(syntax);
  add_op_start_option(syntax, "fast");
  add_tiles_option(syntax);
  add_neuron_cache_option(syntax);
  add_spice_options(syntax, SpiceRuns::transients);
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const auto loaded = load_network(*values);
  spice::WorkerPool pool(worker_pool_options(*values));
  print_network(loaded.network);
  const auto evaluator = fast_evaluator(*values, loaded, pool);
  double spice_s = 0.0;
  const auto reference =
      run_spice(*values, loaded, pool, fast_op_start(*values) ? &evaluator : nullptr, spice_s);
  double fast_s = 0.0;
  const auto fast = run_fast(evaluator, loaded, imac::LayerOutputs::network_outputs_only, fast_s);
  const double max_difference_volt =
      (fast.outputs_volt - reference.outputs_volt).cwiseAbs().maxCoeff();
  long class_agreement = 0;
  for (std::size_t k = 0; k < fast.predicted_class.size(); ++k) {
    class_agreement += fast.predicted_class[k] == reference.predicted_class[k] ? 1 : 0;
  }
  const auto samples = static_cast<long>(fast.predicted_class.size());
  const double power_difference =
      ((fast.power_watt - reference.settled_power_watt).cwiseAbs().array() /
       reference.settled_power_watt.cwiseAbs().array())
          .maxCoeff();
  const bool passed =
      max_difference_volt <= validation_tolerance_volt && class_agreement == samples;
  summary_out() << "spice: " << samples << " samples in " << spice_s << " s; fast: " << fast_s
                << " s (" << spice_s / fast_s << "x faster)\n"
                << "max |V_fast - V_spice| = " << max_difference_volt * 1e3 << " mV (tolerance "
                << validation_tolerance_volt * 1e3 << " mV); classes agree on " << class_agreement
                << "/" << samples << "; static power vs settled ngspice power: max relative "
                << "difference " << power_difference << "\n"
                << (passed ? "PASS" : "FAIL") << "\n";
  json_summary()
      .set("samples", samples)
      .set("spice_s", spice_s)
      .set("fast_s", fast_s)
      .set("max_difference_volt", max_difference_volt)
      .set("tolerance_volt", validation_tolerance_volt)
      .set("classes_agree", class_agreement)
      .set("power_max_relative_difference", power_difference)
      .set("passed", passed);
  return passed ? 0 : 1;
}

}  // namespace

int run_imac(const std::vector<std::string>& args) {
  if (args.empty()) {
    throw UsageError(
        "imac needs a subcommand: netlist, spice, fast or validate (see imcosim "
        "imac --help)");
  }
  if (args.front() == "--help" || args.front() == "-h") {
    std::cout << subcommand_help;
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args.front() == "netlist") {
    return run_imac_netlist(rest);
  }
  if (args.front() == "spice") {
    return run_imac_evaluation(rest, Backend::spice);
  }
  if (args.front() == "fast") {
    return run_imac_evaluation(rest, Backend::fast);
  }
  if (args.front() == "validate") {
    return run_imac_validate(rest);
  }
  throw UsageError("unknown imac subcommand '" + args.front() +
                   "'; expected netlist, spice, fast or validate");
}

}  // namespace imcosim::cli
