#pragma once

#include <optional>
#include <string>
#include <vector>

#include "imcosim/spice/spice_job.hpp"
#include "imcosim/spice/worker_pool.hpp"
#include "ngspice_build.hpp"
#include "protocol.hpp"

namespace imcosim::spice {

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

  std::vector<std::string> messages_;
  std::optional<int> controlled_exit_status_;
  LinearSolver solver_ = LinearSolver::sparse;
  std::optional<std::string> solver_error_;  // why no deck can run with the requested solver
};

}  // namespace imcosim::spice
