#include "untimed_layout.hpp"

#include <hdf5.h>

#include "imcosim/campaign/error.hpp"

namespace imcosim::campaign {

namespace {

// Closes an HDF5 identifier of any kind when it goes out of scope.
class Identifier {
 public:
  Identifier(hid_t id, const std::string& where, const std::string& action) : id_(id) {
    if (id_ < 0) {
      throw CampaignError(ErrorKind::runtime, where + ": cannot " + action + " (HDF5)");
    }
  }
  Identifier(const Identifier&) = delete;
  Identifier& operator=(const Identifier&) = delete;
  ~Identifier() { H5Idec_ref(id_); }
  [[nodiscard]] hid_t get() const noexcept { return id_; }

 private:
  hid_t id_;
};

void check(herr_t status, const std::string& where, const std::string& action) {
  if (status < 0) {
    throw CampaignError(ErrorKind::runtime, where + ": cannot " + action + " (HDF5)");
  }
}

// Creation properties of class `class_id` that leave out the modification time.
class UntimedProperties : public Identifier {
 public:
  UntimedProperties(hid_t class_id, const std::string& where)
      : Identifier(H5Pcreate(class_id), where, "create creation properties") {
    check(H5Pset_obj_track_times(get(), 0), where, "switch off time tracking");
  }
};

}  // namespace

void create_untimed_layout(const std::filesystem::path& path,
                           const std::vector<std::string>& groups,
                           const std::vector<ExtendableMatrix>& datasets, int deflate_level) {
  // The caller's errors are reported as exceptions; HDF5 must not print its own.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const std::string name = path.string();
  const UntimedProperties file_properties(H5P_FILE_CREATE, name);
  const Identifier file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, file_properties.get(), H5P_DEFAULT),
                        name, "create the file");
  const UntimedProperties group_properties(H5P_GROUP_CREATE, name);
  for (const auto& group : groups) {
    const Identifier created(
        H5Gcreate2(file.get(), group.c_str(), H5P_DEFAULT, group_properties.get(), H5P_DEFAULT),
        name + ":/" + group, "create the group");
  }
  for (const auto& dataset : datasets) {
    const std::string where = name + ":/" + dataset.path;
    const hsize_t dims[2] = {0, dataset.columns};
    const hsize_t maximum_dims[2] = {H5S_UNLIMITED, dataset.columns};
    const hsize_t chunk[2] = {dataset.chunk_rows, dataset.columns};
    const Identifier space(H5Screate_simple(2, dims, maximum_dims), where, "create the dataspace");
    const UntimedProperties properties(H5P_DATASET_CREATE, where);
    check(H5Pset_chunk(properties.get(), 2, chunk), where, "set the chunk shape");
    if (deflate_level > 0) {
      check(H5Pset_deflate(properties.get(), static_cast<unsigned>(deflate_level)), where,
            "enable deflate");
    }
    const Identifier created(H5Dcreate2(file.get(), dataset.path.c_str(), H5T_IEEE_F64LE,
                                        space.get(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                             where, "create the dataset");
  }
}

}  // namespace imcosim::campaign
