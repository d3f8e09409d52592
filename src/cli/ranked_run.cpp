#include "ranked_run.hpp"

#include <algorithm>
#include <exception>
#include <iostream>
#include <numeric>

#include "imcosim/error.hpp"

namespace imcosim::cli {

namespace {

std::string rank_text(const mpi::ProcessGroup& group) {
  return "rank " + std::to_string(group.rank()) + " of " + std::to_string(group.size());
}

}  // namespace

RankedRun::RankedRun(mpi::ProcessGroup& group, const std::string& label, std::int64_t total_samples)
    : group_(group), done_per_rank_(static_cast<std::size_t>(group.size()), 0) {
  if (group_.is_root()) {
    progress_.emplace(label, total_samples, 0, RateFrom::first_update);
  }
}

void RankedRun::report(std::int64_t done) {
  done_per_rank_[static_cast<std::size_t>(group_.rank())] = done;
  if (!group_.is_root()) {
    group_.report_progress(done);
    return;
  }
  group_.collect_progress(done_per_rank_);
  progress_->update(std::accumulate(done_per_rank_.begin(), done_per_rank_.end(), std::int64_t{0}));
}

int RankedRun::run_part(const std::function<void()>& part) {
  if (group_.size() == 1) {
    part();
    return 0;
  }
  try {
    part();
    return 0;
  } catch (const Error& error) {
    std::cerr << "imcosim: error: " << rank_text(group_) << ": " << error.what() << '\n';
    return error.kind() == ErrorKind::bad_input ? 2 : 1;
  } catch (const std::exception& error) {
    std::cerr << "imcosim: internal error: " << rank_text(group_) << ": " << error.what() << '\n';
    return 1;
  }
}

int RankedRun::finish(int status, const std::string& on_failure) {
  const auto statuses =
      group_.finish(status, done_per_rank_, [&](const std::vector<std::int64_t>& done) {
        progress_->update(std::accumulate(done.begin(), done.end(), std::int64_t{0}));
      });
  if (progress_) {
    progress_->finish();
  }
  if (!group_.is_root()) {
    return status;
  }
  const int worst = *std::max_element(statuses.begin(), statuses.end());
  if (worst != 0) {
    std::string failed;
    for (std::size_t k = 0; k < statuses.size(); ++k) {
      if (statuses[k] != 0) {
        failed += (failed.empty() ? "" : ", ") + std::to_string(k);
      }
    }
    throw Error(worst == 2 ? ErrorKind::bad_input : ErrorKind::runtime,
                "rank(s) " + failed + " of " + std::to_string(group_.size()) +
                    " failed (their messages above); " + on_failure);
  }
  return 0;
}

}  // namespace imcosim::cli
