// The walk over an HDF5 file's metadata that the probe program runs (hdf5_metadata_walk.hpp).
#include "hdf5_metadata_walk.hpp"

#include <hdf5.h>

#include <csignal>
#include <cstddef>
#include <initializer_list>
#include <vector>

namespace imcosim::io::hdf5 {

namespace {

// Attributes up to this size are read (their values are what readers decode).
constexpr hsize_t largest_attribute_read_bytes = hsize_t{1} << 20;
// Variable-length string attributes with up to this many strings are read.
constexpr hssize_t largest_attribute_strings = hssize_t{1} << 16;

herr_t probe_attribute(hid_t location, const char* name, const H5A_info_t* /*info*/,
                       void* /*data*/) {
  const hid_t attribute = H5Aopen(location, name, H5P_DEFAULT);
  if (attribute < 0) {
    return 0;
  }
  const hid_t type = H5Aget_type(attribute);
  const hid_t space = H5Aget_space(attribute);
  const hsize_t bytes = H5Aget_storage_size(attribute);
  if (type >= 0 && bytes <= largest_attribute_read_bytes && H5Tis_variable_str(type) == 0) {
    std::vector<unsigned char> value(static_cast<std::size_t>(bytes) + 16);
    (void)H5Aread(attribute, type, value.data());
  } else if (type >= 0 && space >= 0 && H5Tis_variable_str(type) > 0) {
    // Variable-length strings live in the global heap, which a corrupt file can send the
    // library round in circles through: read them here too (the probe exits, so the strings
    // are not freed).
    const hssize_t strings = H5Sget_simple_extent_npoints(space);
    if (strings > 0 && strings <= largest_attribute_strings) {
      std::vector<char*> value(static_cast<std::size_t>(strings));
      (void)H5Aread(attribute, type, value.data());
    }
  }
  if (space >= 0) {
    H5Sclose(space);
  }
  if (type >= 0) {
    H5Tclose(type);
  }
  H5Aclose(attribute);
  return 0;
}

// The readers ask for attributes by name: a name that is not there walks every attribute
// message of the header (the path on which the crashes were seen); then each attribute is read.
void probe_attributes(hid_t object) {
  (void)H5Aexists(object, "imcosim probe: no such attribute");
  (void)H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, probe_attribute, nullptr);
}

herr_t probe_object(hid_t root, const char* name, const H5O_info_t* info, void* /*data*/) {
  const hid_t object = H5Oopen(root, name, H5P_DEFAULT);
  if (object < 0) {
    return 0;
  }
  probe_attributes(object);
  if (info->type == H5O_TYPE_DATASET) {
    const hid_t type = H5Dget_type(object);
    const hid_t space = H5Dget_space(object);
    const hid_t properties = H5Dget_create_plist(object);
    (void)H5Dget_storage_size(object);  // walks a chunked dataset's whole chunk index
    for (const hid_t id : {type, space, properties}) {
      if (id >= 0) {
        H5Idec_ref(id);
      }
    }
  }
  H5Oclose(object);
  return 0;
}

}  // namespace

void walk_hdf5_metadata(const char* name) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    return;
  }
  probe_attributes(file);  // the root group as the readers see it, through the file
  (void)H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, probe_object, nullptr, H5O_INFO_ALL);
  H5Fclose(file);
}

void restore_default_fault_actions() {
  for (const int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigaction(signal_number, &action, nullptr);
  }
}

}  // namespace imcosim::io::hdf5
