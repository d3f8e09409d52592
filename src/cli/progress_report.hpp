#pragma once

#include <cstdint>
#include <string>

#include "stopwatch.hpp"

namespace imcosim::cli {

// Progress of a long run on stderr: a bar with rate and ETA redrawn in place when stderr is a
// terminal, otherwise a plain line at most every few seconds (logs and CI stay readable).
class ProgressReport {
 public:
  // `already_done` items were finished by an earlier run (a resumed campaign): they count for
  // the bar but not for the rate.
  ProgressReport(std::string label, std::int64_t total, std::int64_t already_done);

  void update(std::int64_t done);
  // The last state, and a newline after a bar.
  void finish();

 private:
  [[nodiscard]] std::string status_text(std::int64_t done) const;

  std::string label_;
  std::int64_t total_;
  std::int64_t already_done_;
  std::int64_t done_;
  bool terminal_;
  Stopwatch clock_;
  double last_line_s_ = -1.0e9;
};

}  // namespace imcosim::cli
