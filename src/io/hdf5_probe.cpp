// The crash-isolating probe of an HDF5 file before it is opened (hdf5_probe.hpp). With hdf5.cpp
// the only translation units that include hdf5.h.
#include "hdf5_probe.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "imcosim/io/error.hpp"

namespace imcosim::io::hdf5 {

namespace {

// Attributes up to this size are read in the child (their values are what readers decode).
constexpr hsize_t largest_attribute_read_bytes = hsize_t{1} << 20;
// The child's exit code when the probe ran to its end; anything else is a fault.
constexpr int probe_finished = 0;

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
    for (const hid_t id : {type, space, properties}) {
      if (id >= 0) {
        H5Idec_ref(id);
      }
    }
  }
  H5Oclose(object);
  return 0;
}

[[noreturn]] void probe_and_exit(const std::string& name) {
  // A fault ends the child by its signal, not by a handler the parent installed (a sanitizer's
  // report would end it with an exit code instead), and whatever it prints is dropped.
  for (const int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigaction(signal_number, &action, nullptr);
  }
  const int null_device = open("/dev/null", O_WRONLY);
  if (null_device >= 0) {
    dup2(null_device, STDOUT_FILENO);
    dup2(null_device, STDERR_FILENO);
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t file = H5Fopen(name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file >= 0) {
    probe_attributes(file);  // the root group as the readers see it, through the file
    (void)H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, probe_object, nullptr, H5O_INFO_ALL);
    H5Fclose(file);
  }
  // No exit handlers: they belong to the parent (flushing its streams and files twice).
  _exit(probe_finished);
}

}  // namespace

void probe_in_child_process(const std::string& name) {
  const pid_t child = fork();
  if (child < 0) {
    return;  // no probe possible: the open below is then unguarded, as without fork
  }
  if (child == 0) {
    probe_and_exit(name);
  }
  const auto start = std::chrono::steady_clock::now();
  auto pause = std::chrono::microseconds(50);
  int status = 0;
  while (true) {
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) {
      break;
    }
    if (done < 0 && errno != EINTR) {
      return;  // the child is not ours to wait for (SIGCHLD ignored): nothing is known
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
        probe_timeout_seconds) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      throw IoError(ErrorKind::bad_input,
                    name +
                        ": corrupt HDF5 file: the HDF5 library did not finish reading its "
                        "metadata in " +
                        std::to_string(static_cast<int>(probe_timeout_seconds)) + " s");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    const char* signal_name = strsignal(signal_number);
    throw IoError(ErrorKind::bad_input,
                  name + ": corrupt HDF5 file: the HDF5 library crashed reading it (" +
                      (signal_name != nullptr ? signal_name : "signal") + ", signal " +
                      std::to_string(signal_number) +
                      ", in a probe process; this process did not open it)");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != probe_finished) {
    // A sanitizer's error report ends a process with an exit code.
    throw IoError(ErrorKind::bad_input,
                  name + ": corrupt HDF5 file: reading it failed in a probe process (exit code " +
                      std::to_string(WEXITSTATUS(status)) + "); this process did not open it");
  }
}

}  // namespace imcosim::io::hdf5
