#include "progress_report.hpp"

#include <unistd.h>

#include <cmath>
#include <iostream>
#include <sstream>

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

ProgressReport::ProgressReport(std::string label, std::int64_t total, std::int64_t already_done)
    : label_(std::move(label)),
      total_(total),
      already_done_(already_done),
      done_(already_done),
      terminal_(::isatty(STDERR_FILENO) == 1) {}

std::string ProgressReport::status_text(std::int64_t done) const {
  const double elapsed_s = clock_.elapsed_s();
  const double rate = elapsed_s > 0.0 ? static_cast<double>(done - already_done_) / elapsed_s : 0.0;
  std::ostringstream text;
  text.precision(3);
  text << done << "/" << total_ << " samples, " << rate << " samples/s";
  if (rate > 0.0 && done < total_) {
    text << ", ETA " << duration_text(static_cast<double>(total_ - done) / rate);
  } else {
    text << ", " << duration_text(elapsed_s) << " elapsed";
  }
  return text.str();
}

void ProgressReport::update(std::int64_t done) {
  done_ = done;
  if (terminal_) {
    const auto filled = total_ > 0 ? static_cast<int>(bar_width * done / total_) : bar_width;
    std::cerr << '\r' << label_ << " [" << std::string(static_cast<std::size_t>(filled), '#')
              << std::string(static_cast<std::size_t>(bar_width - filled), '.') << "] "
              << status_text(done) << "\033[K" << std::flush;
    return;
  }
  const double now_s = clock_.elapsed_s();
  if (now_s - last_line_s_ >= line_interval_s || done == total_) {
    last_line_s_ = now_s;
    std::cerr << label_ << ": " << status_text(done) << '\n';
  }
}

void ProgressReport::finish() {
  if (terminal_) {
    update(done_);
    std::cerr << '\n';
  }
}

}  // namespace imcosim::cli
