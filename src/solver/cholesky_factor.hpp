#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <memory>
#include <vector>

namespace imcosim::solver {

// A sparse symmetric positive definite matrix factorised once by CHOLMOD (fill-reducing
// ordering, supernodal Cholesky A = P^T L L^T P), then solved for any number of right-hand
// sides. Right-hand sides are solved in column blocks (BLAS-3 triangular solves inside
// CHOLMOD) and the blocks are spread over the OpenMP threads, each thread with its own CHOLMOD
// workspace: the factor itself is only read while solving.
class CholeskyFactor {
 public:
  // Throws SolverError when `a` is not positive definite or the factor does not fit in memory.
  explicit CholeskyFactor(const Eigen::SparseMatrix<double>& a);
  // The same, with the unknowns `ordered_last` eliminated after all others (constrained
  // minimum-degree ordering, CAMD), so that the factor's trailing block belongs to them:
  // with A = [A_II A_IP; A_PI A_PP], L_PP L_PP^T = A_PP - A_PI A_II^{-1} A_IP, the Schur
  // complement onto them, and (A^{-1})_PP = (L_PP L_PP^T)^{-1}.
  CholeskyFactor(const Eigen::SparseMatrix<double>& a, const std::vector<int>& ordered_last);
  ~CholeskyFactor();
  CholeskyFactor(CholeskyFactor&&) noexcept;
  CholeskyFactor& operator=(CholeskyFactor&&) noexcept;

  // A^{-1} rhs for every column of `rhs`.
  [[nodiscard]] Eigen::MatrixXd solve(const Eigen::MatrixXd& rhs) const;

  // left * A^{-1} * right, without ever holding A^{-1} right for all columns at once: the
  // columns of `right` are solved in memory-bounded blocks, each reduced by `left` at once.
  // The small dense result is what a transfer matrix or port admittance needs.
  [[nodiscard]] Eigen::MatrixXd sandwich(const Eigen::SparseMatrix<double>& left,
                                         const Eigen::SparseMatrix<double>& right) const;

  [[nodiscard]] Eigen::Index size() const noexcept { return size_; }

  // The dense lower-triangular trailing block L_PP of a factor ordered with `ordered_last`,
  // and which unknown each of its pivots is. Empty when the factor was ordered otherwise or
  // CHOLMOD did not keep the requested unknowns last.
  struct TrailingBlock {
    Eigen::MatrixXd lower;
    std::vector<int> unknowns;
  };
  [[nodiscard]] TrailingBlock trailing_block() const;

 private:
  struct Cholmod;
  class Workspace;

  // A^{-1} times `count` contiguous columns starting at `rhs`, written to `solution`.
  void solve_block(const double* rhs, Eigen::Index count, double* solution,
                   Workspace& workspace) const;

  std::unique_ptr<Cholmod> cholmod_;
  Eigen::Index size_ = 0;
  std::vector<int> ordered_last_;  // sorted
};

}  // namespace imcosim::solver
