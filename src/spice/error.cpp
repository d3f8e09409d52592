#include "imcosim/spice/error.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace imcosim::spice {
namespace {

// Floods of gmin-stepping notes can run to hundreds of lines; the first ones name the cause.
constexpr std::size_t kMaxLinesInWhat = 40;

std::string with_ngspice_lines(const std::string& message,
                               const std::vector<std::string>& ngspice_messages) {
  if (ngspice_messages.empty()) {
    return message;
  }
  std::string text = message + "\nngspice said:";
  const std::size_t shown = std::min(ngspice_messages.size(), kMaxLinesInWhat);
  for (std::size_t k = 0; k < shown; ++k) {
    text += "\n  ";
    text += ngspice_messages[k];
  }
  if (shown < ngspice_messages.size()) {
    text += "\n  ... (" + std::to_string(ngspice_messages.size() - shown) + " more lines)";
  }
  return text;
}

}  // namespace

SpiceError::SpiceError(ErrorKind kind, const std::string& message,
                       std::vector<std::string> ngspice_messages)
    : Error(kind, with_ngspice_lines(message, ngspice_messages)),
      ngspice_messages_(std::move(ngspice_messages)) {}

}  // namespace imcosim::spice
