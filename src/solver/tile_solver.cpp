#include "imcosim/solver/tile_solver.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/direct_solver.hpp"
#include "imcosim/solver/error.hpp"
#include "imcosim/solver/ideal_solver.hpp"
#include "imcosim/solver/transfer_solver.hpp"

namespace imcosim::solver {

namespace {

constexpr std::array<std::pair<SolverMethod, std::string_view>, 5> method_names{{
    {SolverMethod::direct, "direct"},
    {SolverMethod::transfer, "transfer"},
    {SolverMethod::iterative, "iterative"},
    {SolverMethod::ideal, "ideal"},
    {SolverMethod::automatic, "auto"},
}};

constexpr Eigen::Index largest_factorised_cells = Eigen::Index{1} << 20;
constexpr Eigen::Index largest_direct_cells = Eigen::Index{1} << 12;
// Input vectors from which a transfer extraction pays for itself on any tile; bench_solver
// measures the break-even against iterative at 50-100 vectors on 256 x 256 (docs/solvers.md).
constexpr Eigen::Index transfer_break_even_samples = 64;

class DirectTileSolver final : public TileSolver {
 public:
  explicit DirectTileSolver(const circuit::CrossbarTile& tile)
      : solver_(circuit::TileNetwork(tile)) {}
  SolverMethod method() const noexcept override { return SolverMethod::direct; }
  double tolerance_relative() const noexcept override { return DirectSolver::tolerance_relative; }
  TileSolution solve(const Eigen::MatrixXd& inputs_volt) const override {
    return {solver_.output_currents(inputs_volt), {}};
  }
  TileNodeVoltages node_voltages(const Eigen::VectorXd& input_volt) const override {
    return solver_.node_voltages(input_volt);
  }

 private:
  DirectSolver solver_;
};

class TransferTileSolver final : public TileSolver {
 public:
  explicit TransferTileSolver(const circuit::CrossbarTile& tile)
      : solver_(circuit::TileNetwork(tile)) {}
  SolverMethod method() const noexcept override { return SolverMethod::transfer; }
  double tolerance_relative() const noexcept override { return TransferSolver::tolerance_relative; }
  TileSolution solve(const Eigen::MatrixXd& inputs_volt) const override {
    return {solver_.output_currents(inputs_volt), {}};
  }
  TileNodeVoltages node_voltages(const Eigen::VectorXd& input_volt) const override {
    return solver_.node_voltages(input_volt);
  }

 private:
  TransferSolver solver_;
};

class IterativeTileSolver final : public TileSolver {
 public:
  IterativeTileSolver(const circuit::CrossbarTile& tile, const IterativeOptions& options)
      : solver_(tile, options) {}
  SolverMethod method() const noexcept override { return SolverMethod::iterative; }
  double tolerance_relative() const noexcept override {
    return IterativeSolver::tolerance_relative;
  }
  TileSolution solve(const Eigen::MatrixXd& inputs_volt) const override {
    auto solution = solver_.solve(inputs_volt);
    TileSolution result{std::move(solution.currents_ampere), {}};
    if (solution.iterations.size() > 0) {
      result.statistics.emplace_back("iterations_max", solution.iterations.maxCoeff());
      result.statistics.emplace_back("iterations_mean", solution.iterations.cast<double>().mean());
      result.statistics.emplace_back("residual_relative_max",
                                     solution.residual_relative.maxCoeff());
    }
    return result;
  }
  TileNodeVoltages node_voltages(const Eigen::VectorXd& input_volt) const override {
    return solver_.node_voltages(input_volt);
  }

 private:
  IterativeSolver solver_;
};

// The parasitic-free product; node voltages are the inputs on every row node and 0 V on every
// column node, which is what "no wires" means.
class IdealTileSolver final : public TileSolver {
 public:
  explicit IdealTileSolver(const circuit::CrossbarTile& tile) : tile_(tile) {}
  SolverMethod method() const noexcept override { return SolverMethod::ideal; }
  double tolerance_relative() const noexcept override {
    return std::numeric_limits<double>::infinity();
  }
  TileSolution solve(const Eigen::MatrixXd& inputs_volt) const override {
    return {ideal_output_currents(tile_, inputs_volt), {}};
  }
  TileNodeVoltages node_voltages(const Eigen::VectorXd& input_volt) const override {
    return {input_volt.replicate(1, tile_.cols()),
            Eigen::MatrixXd::Zero(tile_.rows(), tile_.cols())};
  }

 private:
  circuit::CrossbarTile tile_;
};

}  // namespace

std::string_view method_name(SolverMethod method) {
  for (const auto& [value, name] : method_names) {
    if (value == method) {
      return name;
    }
  }
  return "unknown";
}

SolverMethod parse_method(std::string_view name) {
  for (const auto& [value, known] : method_names) {
    if (known == name) {
      return value;
    }
  }
  throw SolverError("unknown solver method '" + std::string(name) +
                    "' (direct, transfer, iterative, ideal or auto)");
}

const std::vector<SolverMethod>& concrete_methods() {
  static const std::vector<SolverMethod> methods{SolverMethod::direct, SolverMethod::transfer,
                                                 SolverMethod::iterative, SolverMethod::ideal};
  return methods;
}

SolverMethod choose_method(Eigen::Index rows, Eigen::Index cols, Eigen::Index samples) {
  const Eigen::Index cells = rows * cols;
  if (cells > largest_factorised_cells) {
    return SolverMethod::iterative;
  }
  if (samples >= std::min({rows, cols, transfer_break_even_samples})) {
    return SolverMethod::transfer;
  }
  if (cells > largest_direct_cells) {
    return SolverMethod::iterative;
  }
  return SolverMethod::direct;
}

std::unique_ptr<TileSolver> make_tile_solver(SolverMethod method, const circuit::CrossbarTile& tile,
                                             Eigen::Index expected_samples,
                                             const IterativeOptions& options) {
  if (method == SolverMethod::automatic) {
    method = choose_method(tile.rows(), tile.cols(), expected_samples);
  }
  switch (method) {
    case SolverMethod::direct:
      return std::make_unique<DirectTileSolver>(tile);
    case SolverMethod::transfer:
      return std::make_unique<TransferTileSolver>(tile);
    case SolverMethod::iterative:
      return std::make_unique<IterativeTileSolver>(tile, options);
    case SolverMethod::ideal:
      return std::make_unique<IdealTileSolver>(tile);
    case SolverMethod::automatic:
      break;
  }
  throw SolverError("solver method could not be resolved");
}

}  // namespace imcosim::solver
