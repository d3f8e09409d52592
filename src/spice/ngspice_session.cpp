#include "ngspice_session.hpp"

#include <ngspice/sharedspice.h>

#include <algorithm>
#include <clocale>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "imcosim/spice/error.hpp"
#include "message_classifier.hpp"

namespace imcosim::spice {

// The C callbacks handed to ngSpice_Init; user_data is the session. No exception may cross
// ngspice's C frames: running out of memory while recording a line terminates the worker, which
// the parent reports as a crash.
struct NgspiceCallbacks {
  static int on_output(char* text, int /*ident*/, void* user_data) noexcept {
    std::string_view line = text != nullptr ? text : "";
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    static_cast<NgspiceSession*>(user_data)->record_message(line);
    return 0;
  }
  static int on_status(char* /*status*/, int /*ident*/, void* /*user_data*/) noexcept { return 0; }
  // ngspice returns from the current ngSpice_Command/ngSpice_Circ after this; the session then
  // reports the exit and the worker leaves, since the library must not be used again.
  static int on_controlled_exit(int exit_status, NG_BOOL /*immediate*/, NG_BOOL /*quit*/,
                                int /*ident*/, void* user_data) noexcept {
    static_cast<NgspiceSession*>(user_data)->controlled_exit_status_ = exit_status;
    return 0;
  }
  static int on_background_thread(NG_BOOL /*running*/, int /*ident*/,
                                  void* /*user_data*/) noexcept {
    return 0;
  }
};

namespace {

// ngspice's API takes char* (and a NULL-terminated char** for decks) although it only reads.
int run_command(const std::string& command) {
  std::string mutable_command = command;
  return ngSpice_Command(mutable_command.data());
}

// A solver option line, when not empty, goes right after the title line: dot cards may stand
// anywhere in a deck, and the title is its one fixed line.
int load_circuit(const std::vector<std::string>& netlist_lines, const std::string& solver_option) {
  std::vector<std::string> mutable_lines = netlist_lines;
  if (!solver_option.empty()) {
    mutable_lines.insert(mutable_lines.begin() + 1, solver_option);
  }
  std::vector<char*> line_pointers;
  line_pointers.reserve(mutable_lines.size() + 1);
  for (std::string& line : mutable_lines) {
    line_pointers.push_back(line.data());
  }
  line_pointers.push_back(nullptr);
  return ngSpice_Circ(line_pointers.data());
}

}  // namespace

NgspiceSession::NgspiceSession(LinearSolver solver) {
  if (std::setlocale(LC_NUMERIC, "C") == nullptr) {
    throw SpiceError(ErrorKind::runtime, "cannot set the C numeric locale for ngspice");
  }
  const int return_code = ngSpice_Init(&NgspiceCallbacks::on_output, &NgspiceCallbacks::on_status,
                                       &NgspiceCallbacks::on_controlled_exit, nullptr, nullptr,
                                       &NgspiceCallbacks::on_background_thread, this);
  if (return_code != 0 || controlled_exit_status_) {
    throw SpiceError(ErrorKind::runtime,
                     "ngSpice_Init failed with return code " + std::to_string(return_code),
                     messages_);
  }
  // Debian's ngspice evaluates BSIM models with OpenMP, two threads by default, whose barriers
  // spin. With one worker process per core the spinning threads of two workers starve each
  // other: two MOSFET transients in parallel on two cores ran 70 times slower than one alone.
  // imcosim parallelises across worker processes, so each ngspice stays single-threaded.
  run_command("set num_threads=1");
  // Sparse 1.3 stays ngspice's default even where KLU is compiled in; KLU is chosen per deck.
  clear_messages();
  run_command("version");
  const NgspiceBuild build = parse_ngspice_build(messages_);
  try {
    solver_ = resolve_linear_solver(solver, build);
  } catch (const SpiceError& error) {
    solver_error_ = error.what();
  }
}

protocol::Reply NgspiceSession::run(const SpiceJob& job) {
  clear_messages();
  protocol::Reply reply = execute(job);
  if (reply.status != protocol::ReplyStatus::controlled_exit) {
    clean_up(!job.netlist_lines.empty());
    if (controlled_exit_status_) {
      reply = failure(protocol::ReplyStatus::controlled_exit,
                      "ngspice asked to exit while dropping the job's plots and circuit");
    }
  }
  reply.result.messages = take_messages();
  return reply;
}

void NgspiceSession::record_message(std::string_view line) {
  fatal_message_seen_ = fatal_message_seen_ || is_fatal_ngspice_line(line);
  if (dropped_message_lines_ == 0 && kept_message_bytes_ + line.size() <= max_kept_message_bytes) {
    messages_.emplace_back(line);
    kept_message_bytes_ += line.size();
  } else {
    ++dropped_message_lines_;
  }
}

void NgspiceSession::clear_messages() noexcept {
  messages_.clear();
  kept_message_bytes_ = 0;
  dropped_message_lines_ = 0;
  fatal_message_seen_ = false;
}

std::vector<std::string> NgspiceSession::take_messages() {
  std::vector<std::string> kept = std::exchange(messages_, {});
  if (dropped_message_lines_ > 0) {
    kept.push_back("imcosim: " + std::to_string(dropped_message_lines_) +
                   " further lines of ngspice output were not kept (at most " +
                   std::to_string(max_kept_message_bytes) + " bytes per run)");
  }
  clear_messages();
  return kept;
}

protocol::Reply NgspiceSession::execute(const SpiceJob& job) {
  if (!job.netlist_lines.empty()) {
    if (solver_error_) {
      return failure(protocol::ReplyStatus::ngspice_error, *solver_error_);
    }
    const int return_code =
        load_circuit(job.netlist_lines, solver_ == LinearSolver::klu ? ".options klu" : "");
    if (auto failed = failure_after("loading the netlist", return_code)) {
      return *std::move(failed);
    }
  }
  for (const std::string& command : job.commands) {
    const int return_code = run_command(command);
    if (auto failed = failure_after("command '" + command + "'", return_code)) {
      return *std::move(failed);
    }
  }
  protocol::Reply reply;
  reply.result.vectors.resize(job.vector_names.size());
  for (std::size_t k = 0; k < job.vector_names.size(); ++k) {
    if (auto failed = fetch_vector(job.vector_names[k], reply.result.vectors[k])) {
      return *std::move(failed);
    }
  }
  return reply;
}

std::optional<protocol::Reply> NgspiceSession::failure_after(const std::string& step,
                                                             int return_code) const {
  if (controlled_exit_status_) {
    return failure(protocol::ReplyStatus::controlled_exit,
                   "ngspice requested a controlled exit (status " +
                       std::to_string(*controlled_exit_status_) + ") during " + step);
  }
  if (return_code != 0) {
    return failure(protocol::ReplyStatus::ngspice_error,
                   "ngspice returned " + std::to_string(return_code) + " from " + step);
  }
  if (fatal_message_seen_) {
    return failure(protocol::ReplyStatus::ngspice_error,
                   "ngspice reported an error during " + step);
  }
  return std::nullopt;
}

protocol::Reply NgspiceSession::failure(protocol::ReplyStatus status,
                                        const std::string& summary) const {
  protocol::Reply reply;
  reply.status = status;
  reply.summary = summary;
  std::copy_if(messages_.begin(), messages_.end(), std::back_inserter(reply.stderr_lines),
               [](const std::string& line) { return is_stderr_line(line); });
  return reply;
}

std::optional<protocol::Reply> NgspiceSession::fetch_vector(const std::string& name,
                                                            std::vector<double>& values) const {
  std::string mutable_name = name;
  const vector_info* info = ngGet_Vec_Info(mutable_name.data());
  if (info == nullptr) {
    return failure(protocol::ReplyStatus::ngspice_error,
                   "vector '" + name + "' is not among the simulation results");
  }
  const auto length = static_cast<std::size_t>(std::max(info->v_length, 0));
  if (length == 0 || (info->v_realdata == nullptr && info->v_compdata == nullptr)) {
    return failure(protocol::ReplyStatus::ngspice_error,
                   "vector '" + name + "' is empty (the analysis produced no points)");
  }
  values.resize(length);
  if (info->v_realdata != nullptr) {
    std::copy_n(info->v_realdata, length, values.begin());
  } else {
    std::transform(info->v_compdata, info->v_compdata + length, values.begin(),
                   [](const ngcomplex_t& value) { return value.cx_real; });
  }
  return std::nullopt;
}

void NgspiceSession::clean_up(bool circuit_loaded) {
  // "destroy all" frees every plot but the constants; "remcirc" frees the current circuit. Their
  // own return codes carry no information beyond what the next job's load would reveal.
  run_command("destroy all");
  if (circuit_loaded) {
    run_command("remcirc");
  }
}

}  // namespace imcosim::spice
