#pragma once

#include <string>

namespace imcosim::io::hdf5 {

// Debian 12's libhdf5 (1.10.8) can crash on a corrupt file (a segmentation fault decoding object
// header messages), or read past its buffers, instead of returning an error. Before a file is
// opened in this process, the probe program imcosim-hdf5-probe (installed in libexec/imcosim,
// built in the build's bin/) opens it under AddressSanitizer and reads every object header,
// attribute and dataset description the readers use. A probe killed by a signal, stopped by
// AddressSanitizer, or still busy after probe_timeout_seconds(), means the file must not be
// opened here, and this throws IoError (bad input, exit 2) naming the file. A probe that ends
// normally, whatever HDF5 said, lets the real open go on and report its own errors.
// The probe is a program of its own, started with posix_spawn: a forked copy of this process
// would inherit the locks its other threads held at the fork, and could wait on them for good,
// and it would crash on an over-read or not as this process's heap happens to lie. Only where
// the program is not found (a static library linked into another project's program, its
// installation moved) does a forked child probe instead; when even fork fails, nothing is
// checked.
void probe_in_child_process(const std::string& name);

// The metadata of imcosim's files reads in milliseconds; a probe still busy after this is in a
// loop of the library's (a corrupt global heap sent 1.10.8 round in circles for good). The
// margin is wide, for a machine loaded with ngspice workers and sanitized test programs.
inline constexpr double default_probe_timeout_seconds = 20.0;

// The time-out in force: the default unless set. The fuzzers set a few seconds: their inputs are
// small files read by one process, and each input that loops the library costs a whole time-out.
[[nodiscard]] double probe_timeout_seconds();
void set_probe_timeout_seconds(double seconds);

}  // namespace imcosim::io::hdf5
