#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace imcosim::campaign {

// One empty extendable float64 dataset [0][columns] to create.
struct ExtendableMatrix {
  std::string path;  // relative to the root, its group already listed
  std::uint64_t columns = 0;
  std::uint64_t chunk_rows = 1;
};

// Creates `path` holding the groups and empty extendable datasets given, gzip level
// `deflate_level`, none of them recording modification times. HDF5 stores each object's
// modification time by default, and so two runs that write equal values would give different
// bytes; without them a campaign's file is bit-identical whatever the threads or workers.
// Throws CampaignError (runtime) naming the file and the object.
void create_untimed_layout(const std::filesystem::path& path,
                           const std::vector<std::string>& groups,
                           const std::vector<ExtendableMatrix>& datasets, int deflate_level);

}  // namespace imcosim::campaign
