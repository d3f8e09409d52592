#pragma once

// The co-simulation's work split over the ranks of a process group (mpirun or srun -n N
// imcosim cosim, docs/cosim.md "Over MPI ranks"): each rank computes its share of the test images
// (and of the images ngspice checks), and the root joins the shares in image order, so that its
// figures are those of one process. A single process is a group of one: every share is the
// whole, every join returns what it is given.

#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <vector>

#include "imcosim/campaign/shard.hpp"
#include "imcosim/mpi/process_group.hpp"

namespace imcosim::cosim {

class RankShares {
 public:
  explicit RankShares(mpi::ProcessGroup* group);  // nullptr: this process alone

  [[nodiscard]] bool is_root() const noexcept;
  [[nodiscard]] int ranks() const noexcept;

  // This rank's share of `count` items: the campaign's shard plan (campaign::shard_range) over
  // whole blocks of `block` items (the last block of all may be short), in rank order.
  [[nodiscard]] campaign::SampleRange share(std::size_t count, std::size_t block = 1) const;

  // Runs this rank's part of a step, then learns how every rank's part ended. A failure on any
  // rank fails the step on every rank (its own error where it happened, elsewhere an Error
  // naming the ranks that failed), so that no rank waits in a later join for one that stopped.
  void run_step(const std::function<void()>& part) const;

  // Every rank's items joined in rank order: on the root (the other ranks get empty ones), or
  // everywhere. Rows of `columns` numbers, classes, numbers.
  [[nodiscard]] Eigen::MatrixXd join_rows_on_root(const Eigen::MatrixXd& rows,
                                                  Eigen::Index columns) const;
  [[nodiscard]] Eigen::MatrixXd join_rows_everywhere(const Eigen::MatrixXd& rows,
                                                     Eigen::Index columns) const;
  [[nodiscard]] std::vector<std::size_t> join_on_root(
      const std::vector<std::size_t>& classes) const;
  [[nodiscard]] std::vector<Eigen::Index> join_on_root(
      const std::vector<Eigen::Index>& classes) const;
  [[nodiscard]] Eigen::VectorXd join_on_root(const Eigen::VectorXd& values) const;

 private:
  [[nodiscard]] Eigen::MatrixXd join_rows(const Eigen::MatrixXd& rows, Eigen::Index columns,
                                          bool everywhere) const;

  mpi::ProcessGroup* group_;
};

}  // namespace imcosim::cosim
