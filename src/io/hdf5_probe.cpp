// The crash-isolating probe of an HDF5 file before it is opened (hdf5_probe.hpp). With hdf5.cpp
// the only translation units that include hdf5.h.
#include "hdf5_probe.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "imcosim/io/error.hpp"

namespace imcosim::io::hdf5 {

namespace {

// Attributes up to this size are read in the child (their values are what readers decode).
constexpr hsize_t largest_attribute_read_bytes = hsize_t{1} << 20;
// Variable-length string attributes with up to this many strings are read in the child.
constexpr hssize_t largest_attribute_strings = hssize_t{1} << 16;
// The child's exit code when the probe ran to its end; anything else is a fault.
constexpr int probe_finished = 0;

std::atomic<double> probe_timeout_in_force{default_probe_timeout_seconds};

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
    // library round in circles through: read them here too (the child exits, so the strings
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

// What makes a file the same file with the same contents, as far as stat tells.
struct FileIdentity {
  dev_t device;
  ino_t inode;
  off_t size;
  timespec modified;
  timespec changed;

  [[nodiscard]] bool operator==(const FileIdentity& other) const noexcept {
    return device == other.device && inode == other.inode && size == other.size &&
           modified.tv_sec == other.modified.tv_sec && modified.tv_nsec == other.modified.tv_nsec &&
           changed.tv_sec == other.changed.tv_sec && changed.tv_nsec == other.changed.tv_nsec;
  }
};

std::optional<FileIdentity> identity_of(const std::string& name) {
  struct stat status {};
  if (::stat(name.c_str(), &status) != 0) {
    return std::nullopt;
  }
  return FileIdentity{status.st_dev, status.st_ino, status.st_size, status.st_mtim, status.st_ctim};
}

// Every file probed in this process, as it was then, with the probe's verdict (empty: sound).
struct ProbedFile {
  FileIdentity identity;
  std::string failure;
};
std::mutex probed_mutex;
std::vector<ProbedFile> probed_files;

std::optional<std::string> earlier_verdict(const FileIdentity& identity) {
  const std::lock_guard lock(probed_mutex);
  const auto found =
      std::find_if(probed_files.begin(), probed_files.end(),
                   [&](const ProbedFile& file) { return file.identity == identity; });
  return found == probed_files.end() ? std::nullopt : std::optional(found->failure);
}

void remember_verdict(const FileIdentity& identity, const std::string& failure) {
  const std::lock_guard lock(probed_mutex);
  probed_files.push_back({identity, failure});
}

// Reaps the probe child into `status`; false when it is still running after the time-out. A
// pidfd wakes the wait the moment the child ends; without one (kernels before 5.3) the wait polls.
bool wait_for_probe(pid_t child, int& status) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(probe_timeout_seconds()));
  // Through syscall(): glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  const auto child_fd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  auto pause = std::chrono::microseconds(50);
  while (true) {
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child || (done < 0 && errno != EINTR)) {
      // Ended, or not ours to wait for (SIGCHLD ignored): nothing more is known.
      if (child_fd >= 0) {
        close(child_fd);
      }
      return true;
    }
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      if (child_fd >= 0) {
        close(child_fd);
      }
      return false;
    }
    if (child_fd >= 0) {
      pollfd readable{child_fd, POLLIN, 0};
      (void)poll(&readable, 1,
                 static_cast<int>(
                     std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1));
    } else {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(20000));
    }
  }
}

// Forks the probe of `name` and waits for it: what is wrong with the file, or empty when the
// probe ran to its end (or could not run at all).
std::string probe_verdict(const std::string& name) {
  const pid_t child = fork();
  if (child < 0) {
    return {};  // no probe possible: the open below is then unguarded, as without fork
  }
  if (child == 0) {
    probe_and_exit(name);
  }
  int status = 0;
  if (!wait_for_probe(child, status)) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    return name + ": corrupt HDF5 file: the HDF5 library did not finish reading its metadata in " +
           std::to_string(static_cast<int>(probe_timeout_seconds())) + " s";
  }
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    const char* signal_name = strsignal(signal_number);
    return name + ": corrupt HDF5 file: the HDF5 library crashed reading it (" +
           (signal_name != nullptr ? signal_name : "signal") + ", signal " +
           std::to_string(signal_number) + ", in a probe process; this process did not open it)";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != probe_finished) {
    // A sanitizer's error report ends a process with an exit code.
    return name + ": corrupt HDF5 file: reading it failed in a probe process (exit code " +
           std::to_string(WEXITSTATUS(status)) + "); this process did not open it";
  }
  return {};
}

}  // namespace

double probe_timeout_seconds() { return probe_timeout_in_force.load(); }

void set_probe_timeout_seconds(double seconds) { probe_timeout_in_force.store(seconds); }

void probe_in_child_process(const std::string& name) {
  // A file probed before and unchanged since keeps its verdict: a command may open one file
  // several times (a CNN model file is read as an IMAC model too), and a file that hangs the
  // library costs the time-out once.
  const std::optional<FileIdentity> identity = identity_of(name);
  std::optional<std::string> failure = identity ? earlier_verdict(*identity) : std::nullopt;
  if (!failure) {
    failure = probe_verdict(name);
    if (identity) {
      remember_verdict(*identity, *failure);
    }
  }
  if (!failure->empty()) {
    throw IoError(ErrorKind::bad_input, *failure);
  }
}

}  // namespace imcosim::io::hdf5
