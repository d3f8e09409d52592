#pragma once

#include <string_view>

namespace imcosim::spice {

// ngspice keeps return codes at 0 on most failures and reports them only as text. These decide,
// line by line as delivered to the SendChar callback ("stdout ..." / "stderr ..."), whether a
// job failed.

// True for lines ngspice printed on its stderr.
bool is_stderr_line(std::string_view line) noexcept;

// True when the line reports a failure that invalidates the job's results; notes and warnings
// after which ngspice recovers (e.g. "Warning: singular matrix" followed by successful gmin
// stepping) are not fatal.
bool is_fatal_ngspice_line(std::string_view line) noexcept;

}  // namespace imcosim::spice
