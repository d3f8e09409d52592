// imcosim-hdf5-probe FILE: the probe program (hdf5_probe.hpp). It walks FILE's metadata
// (hdf5_metadata_walk.hpp) and exits 0; a crash of the HDF5 library ends it by its signal.
// Started by imcosim's readers, never by users: it prints nothing.
#include "hdf5_metadata_walk.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    return 64;  // EX_USAGE: any exit but 0 makes the caller refuse the file
  }
  imcosim::io::hdf5::restore_default_fault_actions();
  imcosim::io::hdf5::walk_hdf5_metadata(argv[1]);
  return 0;
}
