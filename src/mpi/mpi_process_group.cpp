#include "mpi_process_group.hpp"

#include <mpi.h>

#include <chrono>
#include <limits>
#include <string>
#include <thread>

#include "imcosim/error.hpp"

namespace imcosim::mpi {

namespace {

// Message tags: a rank's count of samples done, and its exit status once its part ended.
constexpr int tag_progress = 1;
constexpr int tag_status = 2;
// How long the root sleeps when no message is waiting: progress needs no finer grain.
constexpr auto idle_poll = std::chrono::milliseconds(50);

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw Error(ErrorKind::runtime, std::string(call) + " failed: " +
                                        std::string(text, static_cast<std::size_t>(length)));
  }
}

class MpiWorld final : public ProcessGroup {
 public:
  MpiWorld() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    // Errors come back as codes (check()), not as an abort of the whole job.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;
  ~MpiWorld() override { MPI_Finalize(); }

  [[nodiscard]] int rank() const noexcept override { return rank_; }
  [[nodiscard]] int size() const noexcept override { return size_; }

  void report_progress(std::int64_t done) override {
    // Eager-sized: returns once the message is buffered, whatever the root is doing.
    check(MPI_Send(&done, 1, MPI_INT64_T, 0, tag_progress, MPI_COMM_WORLD), "MPI_Send");
  }

  void collect_progress(std::vector<std::int64_t>& done_per_rank) override {
    while (true) {
      int waiting = 0;
      MPI_Status status;
      check(MPI_Iprobe(MPI_ANY_SOURCE, tag_progress, MPI_COMM_WORLD, &waiting, &status),
            "MPI_Iprobe");
      if (waiting == 0) {
        return;
      }
      receive_progress(status.MPI_SOURCE, done_per_rank);
    }
  }

  [[nodiscard]] std::vector<int> finish(
      int status, std::vector<std::int64_t>& done_per_rank,
      const std::function<void(const std::vector<std::int64_t>&)>& on_progress) override {
    std::vector<int> statuses(static_cast<std::size_t>(size_), 0);
    if (rank_ != 0) {
      check(MPI_Send(&status, 1, MPI_INT, 0, tag_status, MPI_COMM_WORLD), "MPI_Send");
    } else {
      // Progress and statuses from each rank arrive in the order they were sent.
      statuses[0] = status;
      int pending = size_ - 1;
      while (pending > 0) {
        int waiting = 0;
        MPI_Status probe;
        check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &waiting, &probe),
              "MPI_Iprobe");
        if (waiting == 0) {
          std::this_thread::sleep_for(idle_poll);
        } else if (probe.MPI_TAG == tag_progress) {
          receive_progress(probe.MPI_SOURCE, done_per_rank);
          on_progress(done_per_rank);
        } else {
          int rank_status = 0;
          check(MPI_Recv(&rank_status, 1, MPI_INT, probe.MPI_SOURCE, tag_status, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE),
                "MPI_Recv");
          statuses[static_cast<std::size_t>(probe.MPI_SOURCE)] = rank_status;
          --pending;
        }
      }
    }
    check(MPI_Bcast(statuses.data(), size_, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
    return statuses;
  }

  [[nodiscard]] int broadcast_from_root(int value) override {
    check(MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
    return value;
  }

  [[nodiscard]] std::vector<double> gather_to_root(const std::vector<double>& values) override {
    return gather(values, false);
  }

  [[nodiscard]] std::vector<double> gather_to_all(const std::vector<double>& values) override {
    return gather(values, true);
  }

  [[nodiscard]] std::vector<int> exchange_statuses(int status) override {
    std::vector<int> statuses(static_cast<std::size_t>(size_), 0);
    check(MPI_Allgather(&status, 1, MPI_INT, statuses.data(), 1, MPI_INT, MPI_COMM_WORLD),
          "MPI_Allgather");
    return statuses;
  }

 private:
  // Every rank's `values` joined in rank order, on the root or (`everywhere`) on every rank.
  [[nodiscard]] std::vector<double> gather(const std::vector<double>& values, bool everywhere) {
    // MPI counts are ints: 2^31 - 1 doubles (16 GB) per rank at most.
    if (values.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      throw Error(ErrorKind::runtime, "rank " + std::to_string(rank_) + " has " +
                                          std::to_string(values.size()) +
                                          " numbers to gather, more than MPI counts");
    }
    const int count = static_cast<int>(values.size());
    std::vector<int> counts(static_cast<std::size_t>(size_), 0);
    check(everywhere ? MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD)
                     : MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD),
          everywhere ? "MPI_Allgather" : "MPI_Gather");
    std::vector<int> offsets(static_cast<std::size_t>(size_), 0);
    std::size_t total = 0;
    for (std::size_t k = 0; k < counts.size(); ++k) {
      if (total > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw Error(ErrorKind::runtime, "the ranks' numbers exceed what MPI can gather at once");
      }
      offsets[k] = static_cast<int>(total);
      total += static_cast<std::size_t>(counts[k]);
    }
    std::vector<double> joined(rank_ == 0 || everywhere ? total : 0);
    check(everywhere ? MPI_Allgatherv(values.data(), count, MPI_DOUBLE, joined.data(),
                                      counts.data(), offsets.data(), MPI_DOUBLE, MPI_COMM_WORLD)
                     : MPI_Gatherv(values.data(), count, MPI_DOUBLE, joined.data(), counts.data(),
                                   offsets.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD),
          everywhere ? "MPI_Allgatherv" : "MPI_Gatherv");
    return joined;
  }

  void receive_progress(int source, std::vector<std::int64_t>& done_per_rank) {
    std::int64_t done = 0;
    check(MPI_Recv(&done, 1, MPI_INT64_T, source, tag_progress, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "MPI_Recv");
    done_per_rank[static_cast<std::size_t>(source)] = done;
  }

  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

bool mpi_available() noexcept { return true; }

std::unique_ptr<ProcessGroup> join_mpi_world() { return std::make_unique<MpiWorld>(); }

}  // namespace imcosim::mpi
