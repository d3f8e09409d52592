#include "cholesky_factor.hpp"

#include <cholmod.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "imcosim/solver/error.hpp"
#include "parallel_blocks.hpp"

namespace imcosim::solver {

namespace {

// Columns per CHOLMOD solve: wide enough for BLAS-3 efficiency, narrow enough that the
// blocks balance over the threads.
constexpr Eigen::Index right_hand_side_block = 128;
// Dense work space per thread in sandwich(): a block holds at most this many doubles.
constexpr Eigen::Index block_doubles = Eigen::Index{1} << 24;

}  // namespace

// A CHOLMOD workspace; one per thread while solving, so that threads share only the factor,
// which solving reads but never writes.
class CholeskyFactor::Workspace {
 public:
  Workspace() { cholmod_start(&common_); }
  ~Workspace() { cholmod_finish(&common_); }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  cholmod_common* get() { return &common_; }

 private:
  cholmod_common common_{};
};

struct CholeskyFactor::Cholmod {
  Workspace workspace;
  cholmod_factor* factor = nullptr;
  Cholmod() = default;
  Cholmod(const Cholmod&) = delete;
  Cholmod& operator=(const Cholmod&) = delete;
  ~Cholmod() {
    if (factor != nullptr) {
      cholmod_free_factor(&factor, workspace.get());
    }
  }
};

namespace {

cholmod_sparse lower_view(Eigen::SparseMatrix<double>& lower) {
  lower.makeCompressed();
  cholmod_sparse view{};
  view.nrow = static_cast<std::size_t>(lower.rows());
  view.ncol = static_cast<std::size_t>(lower.cols());
  view.nzmax = static_cast<std::size_t>(lower.nonZeros());
  view.p = lower.outerIndexPtr();
  view.i = lower.innerIndexPtr();
  view.x = lower.valuePtr();
  view.stype = -1;  // symmetric, lower triangle stored
  view.itype = CHOLMOD_INT;
  view.xtype = CHOLMOD_REAL;
  view.dtype = CHOLMOD_DOUBLE;
  view.sorted = 1;
  view.packed = 1;
  return view;
}

// A fill-reducing order of every unknown not in `last` (CHOLMOD's own choice: AMD or nested
// dissection, postordered), followed by `last` (sorted).
std::vector<int> order_with_last(const Eigen::SparseMatrix<double>& lower,
                                 const std::vector<int>& last, cholmod_common* common) {
  const auto size = static_cast<std::size_t>(lower.rows());
  std::vector<int> interior_of(size, -1);
  std::vector<int> interior;
  {
    std::vector<bool> is_last(size, false);
    for (const int unknown : last) {
      is_last[static_cast<std::size_t>(unknown)] = true;
    }
    for (std::size_t u = 0; u < size; ++u) {
      if (!is_last[u]) {
        interior_of[u] = static_cast<int>(interior.size());
        interior.push_back(static_cast<int>(u));
      }
    }
  }
  std::vector<int> order;
  order.reserve(size);
  if (!interior.empty()) {
    std::vector<Eigen::Triplet<double, int>> entries;
    for (Eigen::Index column = 0; column < lower.outerSize(); ++column) {
      for (Eigen::SparseMatrix<double>::InnerIterator it(lower, column); it; ++it) {
        const int row = interior_of[static_cast<std::size_t>(it.row())];
        const int col = interior_of[static_cast<std::size_t>(column)];
        if (row >= 0 && col >= 0) {
          entries.emplace_back(row, col, it.value());
        }
      }
    }
    const auto count = static_cast<Eigen::Index>(interior.size());
    Eigen::SparseMatrix<double> interior_lower(count, count);
    interior_lower.setFromTriplets(entries.begin(), entries.end());
    cholmod_sparse view = lower_view(interior_lower);
    cholmod_factor* symbolic = cholmod_analyze(&view, common);
    if (symbolic == nullptr) {
      throw SolverError("CHOLMOD could not order the " + std::to_string(count) +
                        " interior nodes of the conductance matrix");
    }
    const auto* permutation = static_cast<const int*>(symbolic->Perm);
    for (Eigen::Index k = 0; k < count; ++k) {
      order.push_back(interior[static_cast<std::size_t>(permutation[k])]);
    }
    cholmod_free_factor(&symbolic, common);
  }
  order.insert(order.end(), last.begin(), last.end());
  return order;
}

}  // namespace

CholeskyFactor::CholeskyFactor(const Eigen::SparseMatrix<double>& a)
    : CholeskyFactor(a, std::vector<int>{}) {}

CholeskyFactor::CholeskyFactor(const Eigen::SparseMatrix<double>& a,
                               const std::vector<int>& ordered_last)
    : cholmod_(std::make_unique<Cholmod>()), size_(a.rows()), ordered_last_(ordered_last) {
  std::sort(ordered_last_.begin(), ordered_last_.end());
  if (size_ == 0) {
    return;
  }
  Eigen::SparseMatrix<double> lower = a.triangularView<Eigen::Lower>();
  cholmod_sparse view = lower_view(lower);

  cholmod_common* common = cholmod_->workspace.get();
  common->supernodal = CHOLMOD_SUPERNODAL;
  if (!ordered_last_.empty()) {
    const std::vector<int> order = order_with_last(lower, ordered_last_, common);
    // Exactly this order: no postordering, which could move the unknowns ordered last.
    common->nmethods = 1;
    common->method[0].ordering = CHOLMOD_GIVEN;
    common->postorder = 0;
    // CHOLMOD reads the permutation only; its C API is not const-qualified.
    cholmod_->factor = cholmod_analyze_p(&view, const_cast<int*>(order.data()), nullptr, 0, common);
  } else {
    cholmod_->factor = cholmod_analyze(&view, common);
  }
  const bool factorised = cholmod_->factor != nullptr &&
                          cholmod_factorize(&view, cholmod_->factor, common) != 0 &&
                          common->status == CHOLMOD_OK;
  if (!factorised) {
    throw SolverError("CHOLMOD could not factorise the " + std::to_string(size_) +
                      "-node conductance matrix (not positive definite or out of memory; "
                      "CHOLMOD status " +
                      std::to_string(common->status) + ")");
  }
}

CholeskyFactor::~CholeskyFactor() = default;
CholeskyFactor::CholeskyFactor(CholeskyFactor&&) noexcept = default;
CholeskyFactor& CholeskyFactor::operator=(CholeskyFactor&&) noexcept = default;

CholeskyFactor::TrailingBlock CholeskyFactor::trailing_block() const {
  TrailingBlock block;
  const cholmod_factor* factor = cholmod_->factor;
  if (ordered_last_.empty() || factor == nullptr || factor->is_super == 0) {
    return block;
  }
  const auto trailing_count = static_cast<Eigen::Index>(ordered_last_.size());
  const Eigen::Index base = size_ - trailing_count;
  const auto* permutation = static_cast<const int*>(factor->Perm);
  std::vector<int> trailing(permutation + base, permutation + size_);
  std::sort(trailing.begin(), trailing.end());
  if (trailing != ordered_last_) {
    return block;
  }
  block.unknowns.assign(permutation + base, permutation + size_);
  block.lower = Eigen::MatrixXd::Zero(trailing_count, trailing_count);
  // Supernode s holds columns super[s] .. super[s+1]-1 as a dense column-major block of
  // nsrow rows (row indices s[pi[s] ..]) starting at x[px[s]].
  const auto* super = static_cast<const int*>(factor->super);
  const auto* row_pointer = static_cast<const int*>(factor->pi);
  const auto* value_pointer = static_cast<const int*>(factor->px);
  const auto* rows = static_cast<const int*>(factor->s);
  const auto* values = static_cast<const double*>(factor->x);
  for (std::size_t node = 0; node < factor->nsuper; ++node) {
    const Eigen::Index first_column = super[node];
    const Eigen::Index end_column = super[node + 1];
    if (end_column <= base) {
      continue;
    }
    const Eigen::Index row_count = row_pointer[node + 1] - row_pointer[node];
    for (Eigen::Index column = std::max(first_column, base); column < end_column; ++column) {
      const double* column_values =
          values + value_pointer[node] + (column - first_column) * row_count;
      for (Eigen::Index r = column - first_column; r < row_count; ++r) {
        const Eigen::Index row = rows[row_pointer[node] + r];
        block.lower(row - base, column - base) = column_values[r];
      }
    }
  }
  return block;
}

void CholeskyFactor::solve_block(const double* rhs, Eigen::Index count, double* solution,
                                 Workspace& workspace) const {
  cholmod_dense view{};
  view.nrow = static_cast<std::size_t>(size_);
  view.ncol = static_cast<std::size_t>(count);
  view.nzmax = view.nrow * view.ncol;
  view.d = view.nrow;
  // CHOLMOD only reads the right-hand side; its C API is not const-qualified.
  view.x = const_cast<double*>(rhs);
  view.xtype = CHOLMOD_REAL;
  view.dtype = CHOLMOD_DOUBLE;
  cholmod_dense* x = cholmod_solve(CHOLMOD_A, cholmod_->factor, &view, workspace.get());
  if (x == nullptr) {
    throw SolverError("CHOLMOD could not solve with the " + std::to_string(size_) +
                      "-node factor (out of memory)");
  }
  std::memcpy(solution, x->x, sizeof(double) * view.nzmax);
  cholmod_free_dense(&x, workspace.get());
}

Eigen::MatrixXd CholeskyFactor::solve(const Eigen::MatrixXd& rhs) const {
  Eigen::MatrixXd solution(size_, rhs.cols());
  if (size_ == 0 || rhs.cols() == 0) {
    return solution;
  }
  const Eigen::Index blocks = (rhs.cols() + right_hand_side_block - 1) / right_hand_side_block;
  for_each_block<Workspace>(blocks, [&](Eigen::Index block, Workspace& workspace) {
    const Eigen::Index first = block * right_hand_side_block;
    const Eigen::Index count = std::min(right_hand_side_block, rhs.cols() - first);
    solve_block(rhs.col(first).data(), count, solution.col(first).data(), workspace);
  });
  return solution;
}

Eigen::MatrixXd CholeskyFactor::sandwich(const Eigen::SparseMatrix<double>& left,
                                         const Eigen::SparseMatrix<double>& right) const {
  Eigen::MatrixXd product = Eigen::MatrixXd::Zero(left.rows(), right.cols());
  if (size_ == 0 || right.cols() == 0) {
    return product;
  }
  const Eigen::Index width =
      std::clamp(block_doubles / size_, Eigen::Index{1}, right_hand_side_block);
  const Eigen::Index blocks = (right.cols() + width - 1) / width;
  for_each_block<Workspace>(blocks, [&](Eigen::Index block, Workspace& workspace) {
    const Eigen::Index first = block * width;
    const Eigen::Index count = std::min(width, right.cols() - first);
    const Eigen::MatrixXd rhs = right.middleCols(first, count);
    Eigen::MatrixXd solution(size_, count);
    solve_block(rhs.data(), count, solution.data(), workspace);
    product.middleCols(first, count) = left * solution;
  });
  return product;
}

}  // namespace imcosim::solver
