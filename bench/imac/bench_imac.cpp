// IMAC network, fast back-end against ngspice on the same network and the same batch: samples
// per second of each (ngspice transients, or with --analysis op operating points, over worker
// processes, every run started from the fast path; the fast path over threads), their ratio,
// and the agreement on the samples both evaluated. Transients run twice, with the wired tiles
// and with each tile as its port admittance (the same circuit), and report that speed-up too.
//
//   bench_imac [--sizes 64,32,10] [--xbar 16] [--spice-samples 2] [--fast-samples 10000]
//              [--workers 2] [--cache-dir DIR] [--analysis tran|op]
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/imac/spice_evaluation.hpp"

namespace {

using namespace imcosim;

struct Arguments {
  std::vector<Eigen::Index> sizes{64, 32, 10};
  int xbar = 16;
  Eigen::Index spice_samples = 2;
  Eigen::Index fast_samples = 10000;
  int workers = 2;
  imac::ImacAnalysis analysis = imac::ImacAnalysis::transient;
  std::filesystem::path cache_dir = std::filesystem::temp_directory_path() / "imcosim-bench-cache";
};

[[noreturn]] void usage() {
  std::cerr << "usage: bench_imac [--sizes 64,32,10] [--xbar 16] [--spice-samples 2] "
               "[--fast-samples 10000] [--workers 2] [--cache-dir DIR] [--analysis tran|op]\n";
  std::exit(2);
}

Arguments parse(int argc, char** argv) {
  Arguments arguments;
  for (int a = 1; a + 1 < argc; a += 2) {
    const std::string name = argv[a];
    const std::string value = argv[a + 1];
    if (name == "--sizes") {
      arguments.sizes.clear();
      std::istringstream items(value);
      for (std::string item; std::getline(items, item, ',');) {
        arguments.sizes.push_back(std::strtol(item.c_str(), nullptr, 10));
      }
    } else if (name == "--xbar") {
      arguments.xbar = static_cast<int>(std::strtol(value.c_str(), nullptr, 10));
    } else if (name == "--spice-samples") {
      arguments.spice_samples = std::strtol(value.c_str(), nullptr, 10);
    } else if (name == "--fast-samples") {
      arguments.fast_samples = std::strtol(value.c_str(), nullptr, 10);
    } else if (name == "--workers") {
      arguments.workers = static_cast<int>(std::strtol(value.c_str(), nullptr, 10));
    } else if (name == "--cache-dir") {
      arguments.cache_dir = value;
    } else if (name == "--analysis" && (value == "tran" || value == "op")) {
      arguments.analysis = imac::parse_imac_analysis(value);
    } else {
      usage();
    }
  }
  if (argc % 2 == 0 || arguments.sizes.size() < 2 || arguments.spice_samples < 1 ||
      arguments.fast_samples < arguments.spice_samples || arguments.workers < 1) {
    usage();
  }
  return arguments;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A ternary network with weights and biases drawn from a fixed seed.
imac::ImacModel ternary_model(const std::vector<Eigen::Index>& sizes) {
  std::mt19937 generator(1);
  std::uniform_int_distribution<int> pick(-1, 1);
  std::vector<imac::DenseLayer> layers;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    imac::DenseLayer layer;
    layer.weight = Eigen::MatrixXd::NullaryExpr(sizes[l + 1], sizes[l],
                                                [&] { return double(pick(generator)); });
    layer.bias =
        Eigen::VectorXd::NullaryExpr(sizes[l + 1], [&] { return double(pick(generator)); });
    layers.push_back(std::move(layer));
  }
  return {std::move(layers), imac::WeightEncoding::ternary, 0, "bench model"};
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments arguments = parse(argc, argv);
  imac::ImacParameters parameters;
  parameters.xbar_rows = arguments.xbar;
  parameters.xbar_cols = arguments.xbar;
  const imac::ImacNetwork network(ternary_model(arguments.sizes), parameters);
  std::mt19937 generator(2);
  std::uniform_real_distribution<double> volts(0.0, 0.8);
  const Eigen::MatrixXd inputs = Eigen::MatrixXd::NullaryExpr(
      arguments.fast_samples, network.input_count(), [&] { return volts(generator); });
  std::cout << "network " << network.input_count();
  for (const auto& layer : network.layers()) {
    std::cout << "-" << layer.neuron_count;
  }
  std::cout << " ternary on " << arguments.xbar << "x" << arguments.xbar << " tiles ("
            << network.tile_count() << " tiles), geometry wires, transistor-level neurons\n";

  // 1. The fast path: the neuron table (cached after the first run), the evaluator's set-up,
  //    then every sample over the threads.
  spice::WorkerPool pool({.worker_count = arguments.workers});
  auto start = std::chrono::steady_clock::now();
  auto table = imac::characterise_neuron(pool, imac::neuron_circuit(parameters),
                                         imac::neuron_grid_for(parameters), arguments.cache_dir);
  const double table_s = seconds_since(start);
  start = std::chrono::steady_clock::now();
  const imac::FastEvaluator evaluator(network, std::move(table));
  const double setup_s = seconds_since(start);
  start = std::chrono::steady_clock::now();
  const auto fast = evaluator.evaluate(inputs);
  const double fast_s = seconds_since(start);

  // 2. ngspice: one run per sample, spread over the worker processes, started from the fast
  //    path; a transient also on port-admittance tiles.
  const Eigen::MatrixXd spice_inputs = inputs.topRows(arguments.spice_samples);
  imac::SpiceEvaluationOptions one_sample_per_run;
  one_sample_per_run.samples_per_run = 1;
  one_sample_per_run.analysis = arguments.analysis;
  one_sample_per_run.starting_points =
      imac::fast_starting_points(evaluator, spice_inputs, arguments.analysis);
  start = std::chrono::steady_clock::now();
  const auto reference = imac::evaluate_with_spice(pool, network, spice_inputs, one_sample_per_run);
  const double spice_s = seconds_since(start);
  double ports_s = 0.0;
  double ports_difference = 0.0;
  if (arguments.analysis == imac::ImacAnalysis::transient) {
    auto ports = one_sample_per_run;
    ports.tiles = imac::TileForm::port_admittance;
    start = std::chrono::steady_clock::now();
    const auto reduced = imac::evaluate_with_spice(pool, network, spice_inputs, ports);
    ports_s = seconds_since(start);
    ports_difference = (reduced.outputs_volt - reference.outputs_volt).cwiseAbs().maxCoeff();
  }

  // 3. Report rates, the ratio and the agreement on the shared samples.
  const double spice_rate = static_cast<double>(arguments.spice_samples) / spice_s;
  const double fast_rate = static_cast<double>(arguments.fast_samples) / fast_s;
  const double max_difference =
      (fast.outputs_volt.topRows(arguments.spice_samples) - reference.outputs_volt)
          .cwiseAbs()
          .maxCoeff();
  const spice::NgspiceInfo ngspice = spice::ngspice_info(pool);
  std::cout << "ngspice " << ngspice.version << ", " << spice::linear_solver_name(ngspice.solver)
            << ", " << imac::imac_analysis_name(arguments.analysis) << " (" << arguments.workers
            << " workers): " << arguments.spice_samples << " samples in " << spice_s
            << " s = " << spice_rate << " samples/s\n"
            << "fast: " << arguments.fast_samples << " samples in " << fast_s
            << " s = " << fast_rate << " samples/s (set-up " << setup_s << " s, neuron table "
            << table_s << " s)\n"
            << "ratio fast / ngspice: " << fast_rate / spice_rate << "x\n"
            << "agreement on the " << arguments.spice_samples
            << " shared samples: max |V_fast - V_spice| = " << max_difference * 1e3 << " mV\n";
  if (arguments.analysis == imac::ImacAnalysis::transient) {
    std::cout << "ngspice on port-admittance tiles: " << arguments.spice_samples << " samples in "
              << ports_s << " s, " << spice_s / ports_s
              << "x the wired tiles; max |V_ports - V_wires| = " << ports_difference * 1e3
              << " mV\n";
  }
  return 0;
}
