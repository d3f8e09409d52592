#include "imcosim/solver/iterative_solver.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "imcosim/solver/error.hpp"
#include "line_operator.hpp"
#include "parallel_blocks.hpp"

namespace imcosim::solver {

namespace {

constexpr Eigen::Index parallel_work = Eigen::Index{1} << 15;
// Conjugate-gradient iterations between two estimates of the output-current scale.
constexpr Eigen::Index scale_check_interval = 8;
// Restarts of conjugate gradients from the true residual when rounding left it too large.
constexpr int max_refinements = 4;

// Fused vector kernels over both cores (the vectors are large and memory-bound).
double dot(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  double sum = 0.0;
#pragma omp parallel for if (a.size() > parallel_work) reduction(+ : sum)
  for (Eigen::Index k = 0; k < a.size(); ++k) {
    sum += a(k) * b(k);
  }
  return sum;
}

// x += alpha p; r -= alpha q; returns sum |r|.
double step(double alpha, const Eigen::VectorXd& p, const Eigen::VectorXd& q, Eigen::VectorXd& x,
            Eigen::VectorXd& r) {
  double sum = 0.0;
#pragma omp parallel for if (x.size() > parallel_work) reduction(+ : sum)
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    x(k) += alpha * p(k);
    r(k) -= alpha * q(k);
    sum += std::abs(r(k));
  }
  return sum;
}

// p = z + beta p.
void update_direction(double beta, const Eigen::VectorXd& z, Eigen::VectorXd& p) {
#pragma omp parallel for if (p.size() > parallel_work)
  for (Eigen::Index k = 0; k < p.size(); ++k) {
    p(k) = z(k) + beta * p(k);
  }
}

// Working vectors for one input vector at a time.
struct Workspace {
  Eigen::VectorXd row_volt, column_volt, row_injection;
  Eigen::VectorXd row_residual, column_residual;
  Eigen::VectorXd row_exact;    // A_RR^{-1} r_R
  Eigen::VectorXd column_step;  // the column correction
  Eigen::VectorXd column_residual_cg, preconditioned, direction, product;
  Eigen::VectorXd row_scratch, row_scratch2, column_scratch;
};

struct SampleOutcome {
  Eigen::VectorXd currents_ampere;
  Eigen::Index iterations = 0;
  double residual_relative = 0.0;
};

}  // namespace

struct IterativeSolver::State {
  State(const circuit::CrossbarTile& tile, IterativeOptions options_)
      : lines(tile), options(options_) {}

  LineOperator lines;
  IterativeOptions options;

  // Solves one input vector; the solution is left in workspace.row_volt / column_volt.
  SampleOutcome solve_sample(const Eigen::VectorXd& input_volt, Workspace& w) const;

 private:
  // One conjugate-gradient pass on the column Schur complement for the correction A d = r
  // (the residuals in w), added to w.row_volt and w.column_volt.
  void correct(Workspace& w, Eigen::Index& iterations) const;
  // S v = A_CC v - E^T A_RR^{-1} E v.
  void apply_schur(const Eigen::VectorXd& v, Eigen::VectorXd& result, Workspace& w) const;
  [[noreturn]] void fail(Eigen::Index iterations, double residual_relative) const;
};

void IterativeSolver::State::apply_schur(const Eigen::VectorXd& v, Eigen::VectorXd& result,
                                         Workspace& w) const {
  lines.couple_to_rows(v, w.row_scratch);
  lines.solve_rows(w.row_scratch, w.row_scratch2);
  lines.couple_to_columns(w.row_scratch2, w.column_scratch);
  lines.multiply_columns(v, result);
  result -= w.column_scratch;
}

void IterativeSolver::State::fail(Eigen::Index iterations, double residual_relative) const {
  std::ostringstream message;
  message << "iterative solver did not converge within " << options.max_iterations
          << " iterations (ran " << iterations << "; Kirchhoff residual " << residual_relative
          << " of the largest output current, needed " << tolerance_relative
          << "): use --method direct or transfer";
  throw SolverError(message.str());
}

void IterativeSolver::State::correct(Workspace& w, Eigen::Index& iterations) const {
  // Rows exact for the current residual, then the column right-hand side of the Schur system.
  lines.solve_rows(w.row_residual, w.row_exact);
  lines.couple_to_columns(w.row_exact, w.column_scratch);
  w.column_residual_cg = w.column_residual + w.column_scratch;
  w.column_step.setZero(lines.column_size());

  // The output-current scale of the corrected solution, for the stopping test.
  const auto output_scale = [&] {
    const Eigen::VectorXd trial_column = w.column_volt + w.column_step;
    lines.couple_to_rows(w.column_step, w.row_scratch);
    lines.solve_rows(w.row_scratch, w.row_scratch2);
    const Eigen::VectorXd trial_row = w.row_volt + w.row_exact + w.row_scratch2;
    return lines.output_currents(trial_row, trial_column).cwiseAbs().maxCoeff();
  };

  double residual_ampere = w.column_residual_cg.lpNorm<1>();
  double scale_ampere = 0.0;  // estimated at k = 0
  lines.solve_columns(w.column_residual_cg, w.preconditioned);
  w.direction = w.preconditioned;
  double rho = dot(w.column_residual_cg, w.preconditioned);
  for (Eigen::Index k = 0;; ++k) {
    const bool small = residual_ampere <= options.stop_relative * scale_ampere;
    if (small || k % scale_check_interval == 0) {
      scale_ampere = output_scale();
      if (residual_ampere <= options.stop_relative * scale_ampere) {
        break;
      }
    }
    if (rho <= 0.0) {
      break;  // the residual vanished exactly
    }
    if (iterations >= options.max_iterations) {
      fail(iterations, scale_ampere > 0.0 ? residual_ampere / scale_ampere : residual_ampere);
    }
    ++iterations;
    apply_schur(w.direction, w.product, w);
    const double alpha = rho / dot(w.direction, w.product);
    residual_ampere = step(alpha, w.direction, w.product, w.column_step, w.column_residual_cg);
    lines.solve_columns(w.column_residual_cg, w.preconditioned);
    const double rho_next = dot(w.column_residual_cg, w.preconditioned);
    update_direction(rho_next / rho, w.preconditioned, w.direction);
    rho = rho_next;
  }

  // Back-substitute the rows: d_R = A_RR^{-1} (r_R + E d_C).
  lines.couple_to_rows(w.column_step, w.row_scratch);
  lines.solve_rows(w.row_scratch, w.row_scratch2);
  w.row_volt += w.row_exact + w.row_scratch2;
  w.column_volt += w.column_step;
}

SampleOutcome IterativeSolver::State::solve_sample(const Eigen::VectorXd& input_volt,
                                                   Workspace& w) const {
  lines.initial_state(input_volt, w.row_volt, w.column_volt, w.row_injection);
  SampleOutcome outcome;
  Eigen::VectorXd previous_currents;
  for (int pass = 0;; ++pass) {
    const double residual_ampere = lines.residual(w.row_volt, w.column_volt, w.row_injection,
                                                  w.row_residual, w.column_residual);
    outcome.currents_ampere = lines.output_currents(w.row_volt, w.column_volt);
    const double scale_ampere = outcome.currents_ampere.cwiseAbs().maxCoeff();
    outcome.residual_relative = residual_ampere == 0.0 ? 0.0 : residual_ampere / scale_ampere;
    // Accepted when the true residual bounds the output error within the tolerance, or —
    // where rounding the node voltages to double precision alone leaves a larger residual
    // sum — when a refinement pass from the true residual (which applies exactly the
    // correction that residual implies) moved no output by more than a tenth of it.
    if (outcome.residual_relative <= tolerance_relative) {
      return outcome;
    }
    if (pass > 0 && (outcome.currents_ampere - previous_currents).cwiseAbs().maxCoeff() <=
                        0.1 * tolerance_relative * scale_ampere) {
      return outcome;
    }
    if (pass == max_refinements) {
      fail(outcome.iterations, outcome.residual_relative);
    }
    previous_currents = outcome.currents_ampere;
    correct(w, outcome.iterations);
  }
}

IterativeSolver::IterativeSolver(const circuit::CrossbarTile& tile, IterativeOptions options)
    : state_(std::make_unique<State>(tile, options)) {
  if (options.max_iterations < 1 || !(options.stop_relative > 0.0) ||
      options.stop_relative > tolerance_relative) {
    throw SolverError(
        "iterative solver options: max_iterations must be >= 1 and stop_relative in "
        "(0, " +
        std::to_string(tolerance_relative) + "]");
  }
}

IterativeSolver::~IterativeSolver() = default;
IterativeSolver::IterativeSolver(IterativeSolver&&) noexcept = default;
IterativeSolver& IterativeSolver::operator=(IterativeSolver&&) noexcept = default;

IterativeSolution IterativeSolver::solve(const Eigen::MatrixXd& inputs_volt) const {
  const Eigen::Index samples = inputs_volt.rows();
  IterativeSolution solution;
  solution.iterations.resize(samples);
  solution.residual_relative.resize(samples);
  std::vector<Eigen::VectorXd> currents(static_cast<std::size_t>(samples));
  // Several input vectors: one per thread, each thread's kernels serial. One input vector:
  // the kernels themselves use every thread.
  for_each_block<Workspace>(samples, [&](Eigen::Index k, Workspace& workspace) {
    const Eigen::VectorXd input = inputs_volt.row(k).transpose();
    auto outcome = state_->solve_sample(input, workspace);
    currents[static_cast<std::size_t>(k)] = std::move(outcome.currents_ampere);
    solution.iterations(k) = static_cast<int>(outcome.iterations);
    solution.residual_relative(k) = outcome.residual_relative;
  });
  solution.currents_ampere.resize(samples, state_->lines.output_count());
  for (Eigen::Index k = 0; k < samples; ++k) {
    solution.currents_ampere.row(k) = currents[static_cast<std::size_t>(k)].transpose();
  }
  return solution;
}

TileNodeVoltages IterativeSolver::node_voltages(const Eigen::VectorXd& input_volt) const {
  Workspace workspace;
  state_->solve_sample(input_volt, workspace);
  return state_->lines.node_voltages(workspace.row_volt, workspace.column_volt);
}

}  // namespace imcosim::solver
