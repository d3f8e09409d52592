#include "message_classifier.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace imcosim::spice {
namespace {

constexpr std::string_view kStderrPrefix = "stderr ";

// Texts ngspice 39 prints when a deck or an analysis fails, found by running failing decks:
// undefined model or bad element line ("Error on line N ...", "could not find a valid
// modelname", "unknown parameter (x)", then "Error: circuit not parsed."), unknown subcircuit,
// missing include file, unknown dot card ("unimplemented control card"), a singular matrix that
// gmin and source stepping cannot fix ("Error: Transient op failed, timestep too small",
// "op simulation(s) aborted"), a transient that stalls ("timestep too small"), an unknown
// command ("no such command available"), and "run" without an analysis ("simulation not
// started"). They are matched case-insensitively anywhere in the line.
constexpr std::array<std::string_view, 10> kFatalFragments = {
    "timestep too small", "simulation(s) aborted",      "could not find a valid modelname",
    "unknown parameter",  "unimplemented control card", "unknown subckt",
    "circuit not parsed", "no such command available",  "simulation not started",
    "fatal error",
};

bool contains_case_insensitive(std::string_view text, std::string_view fragment) noexcept {
  const auto found =
      std::search(text.begin(), text.end(), fragment.begin(), fragment.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      });
  return found != text.end();
}

}  // namespace

bool is_stderr_line(std::string_view line) noexcept { return line.starts_with(kStderrPrefix); }

bool is_fatal_ngspice_line(std::string_view line) noexcept {
  if (is_stderr_line(line)) {
    const std::string_view text = line.substr(kStderrPrefix.size());
    if (text.starts_with("Error") || text.starts_with("error")) {
      return true;
    }
  }
  return std::any_of(
      kFatalFragments.begin(), kFatalFragments.end(),
      [line](std::string_view fragment) { return contains_case_insensitive(line, fragment); });
}

}  // namespace imcosim::spice
