#include "rank_shares.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

#include "imcosim/cosim/error.hpp"

namespace imcosim::cosim {

namespace {

constexpr int step_done = 0;
constexpr int step_failed = 1;
constexpr int step_bad_input = 2;

// Classes joined through doubles, which hold them exactly (they are far below 2^53).
template <typename Integer>
std::vector<Integer> join_classes_on_root(mpi::ProcessGroup& group,
                                          const std::vector<Integer>& classes) {
  const std::vector<double> joined =
      group.gather_to_root(std::vector<double>(classes.begin(), classes.end()));
  std::vector<Integer> values;
  values.reserve(joined.size());
  for (const double number : joined) {
    values.push_back(static_cast<Integer>(number));
  }
  return values;
}

}  // namespace

RankShares::RankShares(mpi::ProcessGroup* group) : group_(group) {}

bool RankShares::is_root() const noexcept { return group_ == nullptr || group_->is_root(); }

int RankShares::ranks() const noexcept { return group_ == nullptr ? 1 : group_->size(); }

campaign::SampleRange RankShares::share(std::size_t count, std::size_t block) const {
  // The campaign's shard plan, over whole blocks.
  const auto blocks = static_cast<std::int64_t>((count + block - 1) / block);
  const campaign::SampleRange mine =
      campaign::shard_range({group_ == nullptr ? 0 : group_->rank(), ranks()}, blocks);
  const auto items = static_cast<std::int64_t>(count);
  const auto block_items = static_cast<std::int64_t>(block);
  const std::int64_t first = std::min(items, mine.first * block_items);
  const std::int64_t end = std::min(items, (mine.first + mine.count) * block_items);
  return {first, end - first};
}

void RankShares::run_step(const std::function<void()>& part) const {
  if (ranks() == 1) {
    part();
    return;
  }
  std::exception_ptr failure;
  int status = step_done;
  try {
    part();
  } catch (const Error& error) {
    failure = std::current_exception();
    status = error.kind() == ErrorKind::bad_input ? step_bad_input : step_failed;
  } catch (...) {
    failure = std::current_exception();
    status = step_failed;
  }
  const std::vector<int> statuses = group_->exchange_statuses(status);
  if (failure) {
    std::cerr << "imcosim: rank " << group_->rank() << " of " << group_->size() << " failed\n";
    std::rethrow_exception(failure);
  }
  const int worst = *std::max_element(statuses.begin(), statuses.end());
  if (worst != step_done) {
    std::string failed;
    for (std::size_t k = 0; k < statuses.size(); ++k) {
      if (statuses[k] != step_done) {
        failed += (failed.empty() ? "" : ", ") + std::to_string(k);
      }
    }
    throw CosimError(worst == step_bad_input ? ErrorKind::bad_input : ErrorKind::runtime,
                     "rank(s) " + failed + " of " + std::to_string(ranks()) +
                         " failed (their messages above); nothing was written");
  }
}

Eigen::MatrixXd RankShares::join_rows(const Eigen::MatrixXd& rows, Eigen::Index columns,
                                      bool everywhere) const {
  if (ranks() == 1) {
    return rows;
  }
  // Row-major, so that the ranks' rows follow each other.
  std::vector<double> numbers(static_cast<std::size_t>(rows.size()));
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      numbers.data(), rows.rows(), rows.cols()) = rows;
  const std::vector<double> joined =
      everywhere ? group_->gather_to_all(numbers) : group_->gather_to_root(numbers);
  const auto joined_rows = columns == 0 ? 0 : static_cast<Eigen::Index>(joined.size()) / columns;
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      joined.data(), joined_rows, columns);
}

Eigen::MatrixXd RankShares::join_rows_on_root(const Eigen::MatrixXd& rows,
                                              Eigen::Index columns) const {
  return join_rows(rows, columns, false);
}

Eigen::MatrixXd RankShares::join_rows_everywhere(const Eigen::MatrixXd& rows,
                                                 Eigen::Index columns) const {
  return join_rows(rows, columns, true);
}

std::vector<std::size_t> RankShares::join_on_root(const std::vector<std::size_t>& classes) const {
  return ranks() == 1 ? classes : join_classes_on_root(*group_, classes);
}

std::vector<Eigen::Index> RankShares::join_on_root(const std::vector<Eigen::Index>& classes) const {
  return ranks() == 1 ? classes : join_classes_on_root(*group_, classes);
}

Eigen::VectorXd RankShares::join_on_root(const Eigen::VectorXd& values) const {
  if (ranks() == 1) {
    return values;
  }
  const std::vector<double> joined =
      group_->gather_to_root(std::vector<double>(values.begin(), values.end()));
  return Eigen::Map<const Eigen::VectorXd>(joined.data(), static_cast<Eigen::Index>(joined.size()));
}

}  // namespace imcosim::cosim
