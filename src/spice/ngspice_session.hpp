#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imcosim/spice/spice_job.hpp"
#include "imcosim/spice/worker_pool.hpp"
#include "ngspice_build.hpp"
#include "protocol.hpp"

namespace imcosim::spice {

// What a worker keeps of ngspice's output for one job (commands, errors, a deck's prints): 1 MiB.
inline constexpr std::size_t max_kept_message_bytes = std::size_t{1} << 20;

// The one ngspice instance of a worker process. ngspice keeps global state, so a process holds at
// most one session; sessions live only in forked workers, never in the parent.
class NgspiceSession {
 public:
  // Sets the C numeric locale (ngspice parses numbers with strtod), initialises ngspice and reads
  // its build to resolve `solver` (a solver the library lacks fails every deck, not the worker).
  // Throws SpiceError (runtime).
  explicit NgspiceSession(LinearSolver solver);
  ~NgspiceSession() = default;
  NgspiceSession(const NgspiceSession&) = delete;
  NgspiceSession& operator=(const NgspiceSession&) = delete;
  NgspiceSession(NgspiceSession&&) = delete;
  NgspiceSession& operator=(NgspiceSession&&) = delete;

  // Runs one job and then drops its plots and circuit so that memory stays flat over thousands
  // of jobs. A controlled_exit reply means ngspice must not be used again.
  protocol::Reply run(const SpiceJob& job);

 private:
  friend struct NgspiceCallbacks;

  protocol::Reply execute(const SpiceJob& job);
  // A failure reply when the last ngspice call failed: controlled exit, non-zero return code, or
  // an error line among the messages.
  std::optional<protocol::Reply> failure_after(const std::string& step, int return_code) const;
  protocol::Reply failure(protocol::ReplyStatus status, const std::string& summary) const;
  std::optional<protocol::Reply> fetch_vector(const std::string& name,
                                              std::vector<double>& values) const;
  void clean_up(bool circuit_loaded);
  // Keeps `line` while the job's kept output stays within max_kept_message_bytes and counts it
  // otherwise: a deck that prints without end must not grow the worker, the reply or the caller.
  // An error line counts as such whether it was kept or not.
  void record_message(std::string_view line);
  void clear_messages() noexcept;
  // The kept lines, followed by a line saying how many more there were.
  std::vector<std::string> take_messages();

  std::vector<std::string> messages_;
  std::size_t kept_message_bytes_ = 0;
  std::size_t dropped_message_lines_ = 0;
  bool fatal_message_seen_ = false;
  std::optional<int> controlled_exit_status_;
  LinearSolver solver_ = LinearSolver::sparse;
  std::optional<std::string> solver_error_;  // why no deck can run with the requested solver
};

}  // namespace imcosim::spice
