#pragma once

namespace imcosim::io::hdf5 {

// The probe program's exit code when AddressSanitizer caught the HDF5 library reading or writing
// outside its memory (set in the program's sanitizer options).
inline constexpr int probe_memory_fault_exit_code = 86;

// Opens `name` read-only and reads every object header, attribute and dataset description that
// imcosim's readers use, ignoring every error HDF5 reports. Returns only if the library neither
// crashed nor looped on the file; what the library said is left to the real readers. Run in a
// process of its own (the probe program, hdf5_probe.hpp), never in a process whose work a crash
// would cost.
void walk_hdf5_metadata(const char* name);

// Gives the signals of a fault back their default action, so that a crash of the library ends
// the probe by its signal, not by a handler of a sanitizer runtime or of the parent (whose
// report would end it with an exit code instead, and take longer).
void restore_default_fault_actions();

}  // namespace imcosim::io::hdf5
