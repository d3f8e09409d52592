#include <algorithm>

#include "imcosim/campaign/dataset_file.hpp"
#include "imcosim/campaign/error.hpp"
#include "imcosim/io/atomic_file.hpp"

namespace imcosim::campaign {

namespace {

// Samples copied per block: bounds the memory a merge needs.
constexpr std::int64_t merge_block_samples = 1024;

struct ShardFile {
  std::filesystem::path path;
  DatasetHeader header;
};

CampaignError merge_error(const std::string& message) {
  return {ErrorKind::bad_input, "imcosim merge: " + message};
}

}  // namespace

void merge_datasets(const std::vector<std::filesystem::path>& shards,
                    const std::filesystem::path& output,
                    const std::function<void(std::int64_t done, std::int64_t total)>& on_progress) {
  // 1. Read every shard's header; they must be complete parts of one campaign.
  if (shards.empty()) {
    throw merge_error("no shard files given");
  }
  std::vector<ShardFile> files;
  for (const auto& path : shards) {
    auto header = read_dataset_header(path);
    const std::int64_t completed = read_completed_samples(path);
    if (completed != header.range.count) {
      throw merge_error(path.string() + " (shard " + shard_text(header.shard) +
                        ") is incomplete: " + std::to_string(completed) + " of " +
                        std::to_string(header.range.count) +
                        " samples; run its imcosim dataset command again to finish it");
    }
    files.push_back({path, std::move(header)});
  }
  const auto& reference = files.front();
  for (const auto& file : files) {
    if (file.header.configuration_hash != reference.header.configuration_hash ||
        file.header.imcosim_version != reference.header.imcosim_version ||
        file.header.ngspice_version != reference.header.ngspice_version ||
        file.header.ngspice_solver != reference.header.ngspice_solver) {
      throw merge_error(file.path.string() + " belongs to another campaign or tool version than " +
                        reference.path.string() + " (configuration " +
                        file.header.configuration_hash + " vs " +
                        reference.header.configuration_hash + ")");
    }
  }

  // 2. In sample order they must cover the campaign exactly once.
  std::sort(files.begin(), files.end(), [](const ShardFile& a, const ShardFile& b) {
    return a.header.range.first < b.header.range.first;
  });
  std::int64_t next_sample = 0;
  for (const auto& file : files) {
    if (file.header.range.first != next_sample) {
      throw merge_error(file.path.string() + " starts at sample " +
                        std::to_string(file.header.range.first) +
                        " but the shards before it end at " + std::to_string(next_sample) +
                        " (overlapping, repeated or missing shards)");
    }
    next_sample += file.header.range.count;
  }
  if (next_sample != reference.header.samples) {
    throw merge_error("the shards cover samples 0 to " + std::to_string(next_sample) + " of " +
                      std::to_string(reference.header.samples) + "; a shard is missing");
  }

  // 3. Write the whole campaign's file (shard 0/1), block by block, then rename it into place.
  DatasetHeader whole = reference.header;
  whole.shard = Shard{};
  whole.range = {0, whole.samples};
  io::AtomicFile merged(output);
  DatasetWriter writer(merged.temporary_path(), whole);
  for (const auto& file : files) {
    for (std::int64_t first = file.header.range.first;
         first < file.header.range.first + file.header.range.count; first += merge_block_samples) {
      const std::int64_t count =
          std::min(merge_block_samples, file.header.range.first + file.header.range.count - first);
      writer.append(read_sample_block(file.path, file.header, first, count));
      if (on_progress) {
        on_progress(writer.completed_samples(), whole.samples);
      }
    }
  }
  merged.commit();
}

}  // namespace imcosim::campaign
