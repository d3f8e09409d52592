// The fast exact solvers against their baselines, as ratios measured in the same run:
//  * transfer, 256x256, 10,000 input vectors: time per vector vs the ideal mat-vec (target
//    <= 2x), extraction vs one direct factorisation (target <= 10x);
//  * iterative 1024x1024 (target < 10 s) and, with --huge, 4096x4096 (target < 2 min,
//    <= 8 GiB; peak RSS from /proc/self/status VmHWM); with --check-2048, 2048x2048 against
//    direct (whose factor takes minutes and several GiB): where rounding leaves a Kirchhoff
//    residual above 1e-9, the error the refinement test accepts;
//  * parallel speedup, 1 vs 2 threads, of transfer extraction and the iterative solve;
//  * every method's error against direct; with --spice, ngspice on 64x64 (and 128x128 with
//    --spice-128) side by side.
//
//   bench_solver [--huge] [--check-1024] [--check-2048] [--spice] [--spice-128] [--seed 1]
//
// A default run takes about a minute on 2 cores.
#include <omp.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <random>
#include <string>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/agreement.hpp"
#include "imcosim/solver/direct_solver.hpp"
#include "imcosim/solver/ideal_solver.hpp"
#include "imcosim/solver/iterative_solver.hpp"
#include "imcosim/solver/transfer_solver.hpp"
#include "imcosim/spice/tile_simulation.hpp"

namespace {

using namespace imcosim;

struct Arguments {
  bool huge = false;
  bool check_1024 = false;
  bool check_2048 = false;
  bool spice = false;
  bool spice_128 = false;
  std::uint64_t seed = 1;
};

Arguments parse(int argc, char** argv) {
  Arguments arguments;
  for (int a = 1; a < argc; ++a) {
    const std::string name = argv[a];
    if (name == "--huge") {
      arguments.huge = true;
    } else if (name == "--check-1024") {
      arguments.check_1024 = true;
    } else if (name == "--check-2048") {
      arguments.check_2048 = true;
    } else if (name == "--spice") {
      arguments.spice = true;
    } else if (name == "--spice-128") {
      arguments.spice = arguments.spice_128 = true;
    } else if (name == "--seed" && a + 1 < argc) {
      arguments.seed = std::strtoull(argv[++a], nullptr, 10);
    } else {
      std::cerr << "usage: bench_solver [--huge] [--check-1024] [--check-2048] [--spice] "
                   "[--spice-128] [--seed N]\n";
      std::exit(2);
    }
  }
  return arguments;
}

double seconds(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Best of `repeats`: the machine is shared, the minimum is the least disturbed run.
double best_seconds(int repeats, const std::function<void()>& work) {
  double best = seconds(work);
  for (int r = 1; r < repeats; ++r) {
    best = std::min(best, seconds(work));
  }
  return best;
}

// Peak resident memory of this process so far (GiB), from /proc/self/status VmHWM.
double peak_rss_gib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      double kib = 0.0;
      status >> kib;
      return kib / (1024.0 * 1024.0);
    }
  }
  return 0.0;
}

// Devices log-uniform in [1 uS, 1 mS] (1 kOhm - 1 MOhm), inputs uniform in [-0.5, 0.5] V.
struct Case {
  circuit::CrossbarTile tile;
  Eigen::MatrixXd inputs_volt;
};

Case make_case(std::uint64_t seed, Eigen::Index m, Eigen::Index n, Eigen::Index samples,
               const circuit::WireResistances& wires) {
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Eigen::MatrixXd g(m, n);
  for (auto& value : g.reshaped()) {
    value = 1e-6 * std::pow(1e3, unit(generator));
  }
  Eigen::MatrixXd inputs(samples, m);
  for (auto& value : inputs.reshaped()) {
    value = unit(generator) - 0.5;
  }
  return {circuit::CrossbarTile(std::move(g), wires), std::move(inputs)};
}

const circuit::WireResistances bench_wires{1.0, 1.0, 10.0, 10.0};

void row(const std::string& what, const std::string& value, const std::string& target = "") {
  std::cout << "  " << std::left << std::setw(58) << what << std::right << std::setw(14) << value
            << "  " << target << "\n";
}

std::string fixed(double value, int digits = 3) {
  std::ostringstream text;
  text << std::setprecision(digits) << value;
  return text.str();
}

std::string scientific(double value) {
  std::ostringstream text;
  text << std::scientific << std::setprecision(2) << value;
  return text.str();
}

void bench_transfer(const Arguments& arguments) {
  const Eigen::Index size = 256;
  const Eigen::Index samples = 10000;
  const auto c = make_case(arguments.seed, size, size, samples, bench_wires);
  const circuit::TileNetwork network(c.tile);
  std::cout << "transfer: " << size << "x" << size << ", " << samples
            << " input vectors, wires 1 ohm, periphery 10 ohm, devices 1k-1M ohm\n";

  const double factorise_s = best_seconds(3, [&] { solver::DirectSolver direct(network); });
  std::unique_ptr<solver::TransferSolver> transfer;
  const double extract_s =
      best_seconds(2, [&] { transfer = std::make_unique<solver::TransferSolver>(network); });
  Eigen::MatrixXd transfer_currents;
  const double apply_s =
      best_seconds(3, [&] { transfer_currents = transfer->output_currents(c.inputs_volt); });
  Eigen::MatrixXd ideal_currents;
  const double ideal_s = best_seconds(
      3, [&] { ideal_currents = solver::ideal_output_currents(c.tile, c.inputs_volt); });

  // Direct and iterative per vector, on a subset (the full batch would take minutes).
  const Eigen::Index subset = 256;
  const Eigen::MatrixXd some_inputs = c.inputs_volt.topRows(subset);
  const solver::DirectSolver direct(network);
  Eigen::MatrixXd direct_currents;
  const double direct_solve_s =
      seconds([&] { direct_currents = direct.output_currents(some_inputs); });
  const Eigen::Index iterative_subset = 8;
  solver::IterativeSolution iterative;
  const double iterative_s = seconds([&] {
    iterative = solver::IterativeSolver(c.tile).solve(some_inputs.topRows(iterative_subset));
  });

  const double per_vector_s = apply_s / static_cast<double>(samples);
  const double ideal_per_vector_s = ideal_s / static_cast<double>(samples);
  row("one direct factorisation (s)", fixed(factorise_s));
  row("transfer extraction (s)", fixed(extract_s));
  row("  extraction / factorisation", fixed(extract_s / factorise_s), "target <= 10");
  row("transfer per input vector (us)", fixed(per_vector_s * 1e6));
  row("ideal mat-vec per input vector (us)", fixed(ideal_per_vector_s * 1e6));
  row("  transfer / ideal per vector", fixed(per_vector_s / ideal_per_vector_s), "target <= 2");
  row("direct per input vector, after factorisation (us)",
      fixed(direct_solve_s / static_cast<double>(subset) * 1e6));
  row("iterative per input vector (us)",
      fixed(iterative_s / static_cast<double>(iterative_subset) * 1e6));
  row("break-even vectors, transfer vs direct",
      fixed((extract_s - factorise_s) / (direct_solve_s / static_cast<double>(subset))));
  row("error vs direct: transfer",
      scientific(solver::compare_currents(transfer_currents.topRows(subset), direct_currents)
                     .max_relative),
      "tolerance 1e-9");
  row("error vs direct: iterative",
      scientific(solver::compare_currents(iterative.currents_ampere,
                                          direct_currents.topRows(iterative_subset))
                     .max_relative),
      "tolerance 1e-9");
  row("error vs direct: ideal (the cost of ignoring wires)",
      scientific(
          solver::compare_currents(ideal_currents.topRows(subset), direct_currents).max_relative));

  // Parallel speedup of the extraction.
  omp_set_num_threads(1);
  const double extract_1_s = best_seconds(1, [&] { solver::TransferSolver one_thread(network); });
  omp_set_num_threads(2);
  row("transfer extraction, 1 thread / 2 threads", fixed(extract_1_s / extract_s));
}

void bench_iterative(std::uint64_t seed, Eigen::Index size, bool check_direct,
                     bool parallel_speedup, const std::string& target) {
  const auto c = make_case(seed, size, size, 1, bench_wires);
  std::cout << "iterative: " << size << "x" << size << " (" << 2 * size * size
            << " unknowns), 1 input vector, wires 1 ohm, periphery 10 ohm\n";
  solver::IterativeSolution solution;
  const double solve_s = seconds([&] {
    const solver::IterativeSolver iterative(c.tile);
    solution = iterative.solve(c.inputs_volt);
  });
  row("time (s), setup included", fixed(solve_s), target);
  row("conjugate-gradient iterations", std::to_string(solution.iterations(0)));
  row("final Kirchhoff residual / max output", scientific(solution.residual_relative(0)));
  row("peak RSS so far (GiB, VmHWM)", fixed(peak_rss_gib()));
  if (parallel_speedup) {
    omp_set_num_threads(1);
    const double one_thread_s =
        seconds([&] { (void)solver::IterativeSolver(c.tile).solve(c.inputs_volt); });
    omp_set_num_threads(2);
    row("  1 thread / 2 threads", fixed(one_thread_s / solve_s));
  }
  if (check_direct) {
    Eigen::MatrixXd direct_currents;
    const double direct_s = seconds([&] {
      direct_currents =
          solver::DirectSolver(circuit::TileNetwork(c.tile)).output_currents(c.inputs_volt);
    });
    row("direct (s)", fixed(direct_s));
    row("error vs direct",
        scientific(
            solver::compare_currents(solution.currents_ampere, direct_currents).max_relative),
        "tolerance 1e-9");
  }
}

void bench_spice(std::uint64_t seed, Eigen::Index size) {
  const Eigen::Index samples = 8;
  const auto c = make_case(seed, size, size, samples, bench_wires);
  const circuit::TileNetwork network(c.tile);
  std::cout << "ngspice vs the solvers: " << size << "x" << size << ", " << samples
            << " input vectors (time to solution, setup included)\n";
  spice::WorkerPoolOptions pool_options;
  pool_options.worker_count = 2;
  spice::WorkerPool pool(pool_options);
  Eigen::MatrixXd spice_currents;
  const double spice_s =
      seconds([&] { spice_currents = spice::simulate_tile(pool, network, c.inputs_volt); });
  Eigen::MatrixXd direct_currents;
  const double direct_s = seconds(
      [&] { direct_currents = solver::DirectSolver(network).output_currents(c.inputs_volt); });
  Eigen::MatrixXd transfer_currents;
  const double transfer_s = seconds(
      [&] { transfer_currents = solver::TransferSolver(network).output_currents(c.inputs_volt); });
  Eigen::MatrixXd iterative_currents;
  const double iterative_s = seconds([&] {
    iterative_currents = solver::IterativeSolver(c.tile).solve(c.inputs_volt).currents_ampere;
  });
  row("ngspice (s)", fixed(spice_s));
  row("  ngspice vs direct: error",
      scientific(solver::compare_currents(spice_currents, direct_currents).max_relative),
      "tolerance 1e-6");
  for (const auto& [name, time_s, currents] :
       {std::tuple{"direct", direct_s, &direct_currents},
        std::tuple{"transfer", transfer_s, &transfer_currents},
        std::tuple{"iterative", iterative_s, &iterative_currents}}) {
    row(std::string("  ngspice time / ") + name + " time", fixed(spice_s / time_s));
    row(std::string("  ") + name + " vs ngspice: error",
        scientific(solver::compare_currents(*currents, spice_currents).max_relative));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto arguments = parse(argc, argv);
  std::cout << "bench_solver: seed " << arguments.seed << ", " << omp_get_max_threads()
            << " threads\n";
  bench_transfer(arguments);
  bench_iterative(arguments.seed, 512, true, false, "");
  bench_iterative(arguments.seed, 1024, arguments.check_1024, true, "target < 10 s");
  if (arguments.check_2048) {
    bench_iterative(arguments.seed, 2048, true, false, "");
  }
  if (arguments.huge) {
    bench_iterative(arguments.seed, 4096, false, false, "target < 120 s, <= 8 GiB");
  }
  if (arguments.spice) {
    bench_spice(arguments.seed, 64);
    if (arguments.spice_128) {
      bench_spice(arguments.seed, 128);
    }
  }
  return 0;
}
