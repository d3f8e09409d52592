#pragma once

#include <Eigen/Core>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/solver/iterative_solver.hpp"
#include "imcosim/solver/node_voltages.hpp"

namespace imcosim::solver {

// The ways to solve a tile; `automatic` resolves to one of the others (choose_method).
enum class SolverMethod { direct, transfer, iterative, ideal, automatic };

// "direct", "transfer", "iterative", "ideal", "auto".
[[nodiscard]] std::string_view method_name(SolverMethod method);
// Throws SolverError for an unknown name.
[[nodiscard]] SolverMethod parse_method(std::string_view name);
// Every concrete method, in the order reports list them.
[[nodiscard]] const std::vector<SolverMethod>& concrete_methods();

// The `auto` rule, from the tile's size (M x N) and the number of input vectors K, following
// the measurements in docs/solvers.md:
//  * M N > 2^20 (beyond 1024 x 1024): iterative — a factor no longer fits comfortably;
//  * K >= min(M, N, 64): transfer — extraction costs about 1.5 factorisations, then each vector
//    is one dense mat-vec (bench_solver, 256 x 256: it beats iterative from 50-100 vectors);
//  * M N > 2^12 (beyond 64 x 64) with fewer vectors: iterative — a few dozen O(MN) sweeps per
//    vector cost less than a factorisation (256 x 256: 10 ms per vector against 0.7 s);
//  * otherwise direct: every method takes milliseconds, and direct is the reference.
[[nodiscard]] SolverMethod choose_method(Eigen::Index rows, Eigen::Index cols,
                                         Eigen::Index samples);

// What one solve produced.
struct TileSolution {
  Eigen::MatrixXd currents_ampere;  // K x N
  // Diagnostics worth recording ("iterations", "residual_relative"); empty for direct methods.
  std::vector<std::pair<std::string, double>> statistics;
};

// One tile, prepared once (factorised, extracted, ...), solved for any number of input
// vectors. Every method states the relative tolerance it guarantees against the exact
// solution (max over outputs, relative to the largest output of each input vector).
class TileSolver {
 public:
  TileSolver() = default;
  TileSolver(const TileSolver&) = delete;
  TileSolver& operator=(const TileSolver&) = delete;
  virtual ~TileSolver() = default;

  [[nodiscard]] virtual SolverMethod method() const noexcept = 0;
  // Infinity for `ideal`, which ignores every parasitic and claims nothing.
  [[nodiscard]] virtual double tolerance_relative() const noexcept = 0;
  // Output currents for input vectors given as rows of `inputs_volt` (K x M, volts).
  [[nodiscard]] virtual TileSolution solve(const Eigen::MatrixXd& inputs_volt) const = 0;
  // Every row and column node voltage (IR-drop map) for one input vector (M entries, volts).
  [[nodiscard]] virtual TileNodeVoltages node_voltages(const Eigen::VectorXd& input_volt) const = 0;
};

// The one place where a method becomes a solver. `automatic` is resolved with choose_method
// using `expected_samples` (the batch size the solver will see).
[[nodiscard]] std::unique_ptr<TileSolver> make_tile_solver(SolverMethod method,
                                                           const circuit::CrossbarTile& tile,
                                                           Eigen::Index expected_samples = 1,
                                                           const IterativeOptions& options = {});

}  // namespace imcosim::solver
