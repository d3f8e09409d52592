#pragma once

#include <string>

namespace imcosim::io::hdf5 {

// Debian 12's libhdf5 (1.10.8) can crash on a corrupt file (a segmentation fault decoding object
// header messages) instead of returning an error. Before a file is opened in this process, a
// forked child opens it and reads every object header, attribute and dataset description the
// readers use; a child killed by a signal, or still busy after probe_timeout_seconds(), means
// the file must not be opened here, and this throws IoError (bad input, exit 2) naming the file.
// A child that ends normally, whatever HDF5 said, lets the real open go on and report its own
// errors. Without fork (or when it fails) nothing is checked.
void probe_in_child_process(const std::string& name);

// The metadata of imcosim's files reads in milliseconds; a probe still busy after this is in a
// loop of the library's (a corrupt global heap sent 1.10.8 round in circles for good). The
// margin is wide: a probe forked from a loaded, sanitized, multi-threaded test process took
// more than 15 s to end.
inline constexpr double default_probe_timeout_seconds = 60.0;

// The time-out in force: the default unless set. The fuzzers set a few seconds: their inputs are
// small files read by one process, and each input that loops the library costs a whole time-out.
[[nodiscard]] double probe_timeout_seconds();
void set_probe_timeout_seconds(double seconds);

}  // namespace imcosim::io::hdf5
