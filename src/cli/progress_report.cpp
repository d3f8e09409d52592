#include "progress_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>

#include "run_output.hpp"

namespace imcosim::cli {

namespace {

constexpr int bar_width = 30;
// Seconds between two plain progress lines when stderr is not a terminal.
constexpr double line_interval_s = 5.0;

std::string duration_text(double seconds) {
  const auto total = static_cast<long>(std::lround(seconds));
  std::ostringstream text;
  text << total / 3600 << ':' << (total / 60 % 60 < 10 ? "0" : "") << total / 60 % 60 << ':'
       << (total % 60 < 10 ? "0" : "") << total % 60;
  return text.str();
}

}  // namespace

RateEstimate::RateEstimate(RateFrom from, std::int64_t already_done) {
  if (from == RateFrom::start) {
    record(already_done, 0.0);
  }
}

void RateEstimate::record(std::int64_t done, double elapsed_s) {
  if (!first_done_) {
    first_done_ = done;
    first_s_ = elapsed_s;
  }
  last_done_ = done;
  last_s_ = elapsed_s;
}

std::optional<double> RateEstimate::rate_per_s() const {
  if (!first_done_ || !(last_s_ > first_s_) || last_done_ <= *first_done_) {
    return std::nullopt;
  }
  return static_cast<double>(last_done_ - *first_done_) / (last_s_ - first_s_);
}

std::optional<double> RateEstimate::remaining_s(std::int64_t total) const {
  const auto rate = rate_per_s();
  if (!rate) {
    return std::nullopt;
  }
  return static_cast<double>(std::max<std::int64_t>(total - last_done_, 0)) / *rate;
}

ProgressReport::ProgressReport(std::string label, std::int64_t total, std::int64_t already_done,
                               RateFrom rate_from)
    : label_(std::move(label)),
      total_(total),
      done_(already_done),
      terminal_(::isatty(STDERR_FILENO) == 1),
      rate_(rate_from, already_done) {}

std::string ProgressReport::status_text(std::int64_t done) const {
  std::ostringstream text;
  text.precision(3);
  text << done << "/" << total_ << " samples";
  const auto rate = rate_.rate_per_s();
  if (rate) {
    text << ", " << *rate << " samples/s";
  }
  const auto remaining = rate_.remaining_s(total_);
  if (remaining && done < total_) {
    text << ", ETA " << duration_text(*remaining);
  } else {
    text << ", " << duration_text(clock_.elapsed_s()) << " elapsed";
  }
  return text.str();
}

void ProgressReport::update(std::int64_t done) {
  done_ = done;
  rate_.record(done, clock_.elapsed_s());
  if (terminal_) {
    const auto filled = total_ > 0 ? static_cast<int>(bar_width * done / total_) : bar_width;
    notes_out() << '\r' << label_ << " [" << std::string(static_cast<std::size_t>(filled), '#')
                << std::string(static_cast<std::size_t>(bar_width - filled), '.') << "] "
                << status_text(done) << "\033[K" << std::flush;
    return;
  }
  const double now_s = clock_.elapsed_s();
  if (now_s - last_line_s_ >= line_interval_s || done == total_) {
    last_line_s_ = now_s;
    notes_out() << label_ << ": " << status_text(done) << '\n';
  }
}

void ProgressReport::finish() {
  if (terminal_) {
    update(done_);
    notes_out() << '\n';
  }
}

}  // namespace imcosim::cli
