#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "stopwatch.hpp"

namespace imcosim::cli {

// Where the rate of a long run counts from.
enum class RateFrom {
  // The start: items finish at a steady pace, or several at once (parallel ngspice batches).
  start,
  // The first update: what came before it is warm-up that the rest of the run does not repeat.
  // A campaign's first block is small and starts with sample 0, one of the samples run in
  // ngspice, which later blocks hold in proportion to their size; it also characterises the
  // neuron and starts the threads.
  first_update,
};

// The rate of a long run and the time it still needs.
class RateEstimate {
 public:
  // `already_done` items were finished before the start (a resumed run).
  RateEstimate(RateFrom from, std::int64_t already_done);

  // `done` items are finished `elapsed_s` seconds after the start.
  void record(std::int64_t done, double elapsed_s);
  // Items per second since the reference point, once an item finished after it, later.
  [[nodiscard]] std::optional<double> rate_per_s() const;
  // Seconds until `total` items are done at that rate.
  [[nodiscard]] std::optional<double> remaining_s(std::int64_t total) const;

 private:
  std::optional<std::int64_t> first_done_;
  double first_s_ = 0.0;
  std::int64_t last_done_ = 0;
  double last_s_ = 0.0;
};

// Progress of a long run on stderr: a bar with rate and ETA redrawn in place when stderr is a
// terminal, otherwise a plain line at most every few seconds (logs and CI stay readable).
class ProgressReport {
 public:
  // `label` starts every line (the command or stage). `already_done` items were finished by an
  // earlier run (a resumed campaign): they count for the bar, not for the rate.
  ProgressReport(std::string label, std::int64_t total, std::int64_t already_done,
                 RateFrom rate_from = RateFrom::start);

  // For a run whose total is known only once it reports (ngspice batches): the clock starts at
  // construction all the same.
  void set_total(std::int64_t total) { total_ = total; }
  void update(std::int64_t done);
  // The last state, and a newline after a bar.
  void finish();

 private:
  [[nodiscard]] std::string status_text(std::int64_t done) const;

  std::string label_;
  std::int64_t total_;
  std::int64_t done_;
  bool terminal_;
  Stopwatch clock_;
  RateEstimate rate_;
  double last_line_s_ = -1.0e9;
};

}  // namespace imcosim::cli
