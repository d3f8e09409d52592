// imcosim-hdf5-probe FILE: the probe program (hdf5_probe.hpp). It walks FILE's metadata
// (hdf5_metadata_walk.hpp) and exits 0; a crash of the HDF5 library ends it by its signal, and
// a read or write outside the library's memory, which AddressSanitizer catches, by exit code
// imcosim::io::hdf5::probe_memory_fault_exit_code. Started by imcosim's readers, never by users.
#include "hdf5_metadata_walk.hpp"

// AddressSanitizer's settings for the probe, whatever the environment says (imcosim starts it
// without the sanitizers' variables): no leak check (the probe exits without freeing what it
// read), a failed allocation returns NULL as glibc's does (libhdf5 sizes allocations from the
// file, and takes NULL for a corrupt file), and a report ends the probe with its own exit code
// (86: probe_memory_fault_exit_code).
extern "C" const char* __asan_default_options() {
  return "detect_leaks=0:allocator_may_return_null=1:exitcode=86:print_summary=0";
}

int main(int argc, char** argv) {
  if (argc != 2) {
    return 64;  // EX_USAGE: any exit but 0 makes the caller refuse the file
  }
  imcosim::io::hdf5::restore_default_fault_actions();
  imcosim::io::hdf5::walk_hdf5_metadata(argv[1]);
  return 0;
}
