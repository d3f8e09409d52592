#include "imcosim/campaign/dataset_file.hpp"

#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>

#include "dataset_layout.hpp"
#include "imcosim/campaign/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/error.hpp"
#include "imcosim/io/hdf5.hpp"
#include "imcosim/version.hpp"
#include "untimed_layout.hpp"

namespace imcosim::campaign {

namespace {

namespace hdf5 = io::hdf5;

constexpr std::string_view schema = "imcosim-campaign-dataset/2";
// Chunks of about 256 KiB of whole rows: large enough for deflate, small enough that a commit
// rewrites little of a partly filled chunk (narrow datasets: at most 4096 rows).
constexpr std::uint64_t chunk_bytes = 256 * 1024;
constexpr std::uint64_t max_chunk_rows = 4096;

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) {
    text += (text.empty() ? "" : " ") + word;
  }
  return text;
}

std::vector<std::string> split(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) {
    words.push_back(word);
  }
  return words;
}

void write_header(hdf5::File& file, const DatasetHeader& header) {
  file.write_string_attribute("schema", schema);
  file.write_string_attribute("imcosim_version", header.imcosim_version);
  if (!header.ngspice_version.empty()) {
    file.write_string_attribute("ngspice_version", header.ngspice_version);
    file.write_string_attribute("ngspice_solver", header.ngspice_solver);
  }
  file.write_string_attribute("configuration", header.configuration_text);
  file.write_string_attribute("configuration_hash", header.configuration_hash);
  file.write_int64_attribute("seed", header.seed);
  file.write_int64_attribute("samples", header.samples);
  file.write_int64_attribute("vectors_per_sample", header.vectors_per_sample);
  file.write_string_attribute("subject", header.subject);
  file.write_int64_attribute("rows", header.rows);
  file.write_int64_attribute("cols", header.cols);
  file.write_int64_attribute("devices", header.devices);
  file.write_int64_attribute("spice_every", header.spice_every);
  file.write_int64_attribute("store_conductances", header.store_conductances ? 1 : 0);
  file.write_int64_attribute("store_targets", header.store_targets ? 1 : 0);
  file.write_string_attribute("targets", header.targets);
  file.write_int64_attribute("labels", header.labelled ? 1 : 0);
  file.write_int64_attribute("deflate_level", header.deflate_level);
  file.write_string_attribute("outputs", joined(header.outputs));
  if (!header.solver_method.empty()) {
    file.write_string_attribute("solver_method", header.solver_method);
  }
  file.write_string_attribute("shard", shard_text(header.shard));
  file.write_int64_attribute("first_sample", header.range.first);
  file.write_int64_attribute("sample_count", header.range.count);
  file.write_int64_attribute("completed_samples", 0);
}

// A new dataset file holding every dataset with no rows yet.
void create_dataset_file(const std::filesystem::path& path, const DatasetHeader& header) {
  const auto specs = dataset_specs(header);
  std::vector<ExtendableMatrix> datasets;
  for (const auto& spec : specs) {
    const auto columns = static_cast<std::uint64_t>(spec.columns);
    datasets.push_back(
        {spec.path, columns,
         std::clamp<std::uint64_t>(chunk_bytes / (sizeof(double) * columns), 1, max_chunk_rows)});
  }
  create_untimed_layout(path, dataset_groups(header), datasets, header.deflate_level);
  auto file = hdf5::File::open_read_write(path);
  write_header(file, header);
  for (const auto& spec : specs) {
    auto dataset = file.open_dataset(spec.path);
    dataset.write_string_attribute("unit", spec.unit);
    dataset.write_string_attribute("description", spec.description);
  }
  file.close();
}

// Rows of `spec` that samples [first, first + count) fill.
std::uint64_t rows_for(const DatasetHeader& header, const DatasetSpec& spec, std::int64_t first,
                       std::int64_t count) {
  std::int64_t samples = count;
  switch (spec.rows_follow) {
    case RowsFollow::every_sample:
      break;
    case RowsFollow::spice_samples:
      samples = spice_samples_in(header.spice_every, first, count);
      break;
    case RowsFollow::sample_zero:
      samples = first == 0 && count > 0 ? 1 : 0;
      break;
  }
  return static_cast<std::uint64_t>(samples * spec.rows_per_sample);
}

// The same campaign part by the same tool; `range.count` aside, which extension changes.
bool same_identity(const DatasetHeader& a, const DatasetHeader& b) {
  return a.configuration_hash == b.configuration_hash && a.imcosim_version == b.imcosim_version &&
         a.shard.index == b.shard.index && a.shard.count == b.shard.count &&
         a.range.first == b.range.first;
}

// An unsharded dataset grown to `header`'s samples: the attributes that count them, rewritten in
// a copy renamed over the file.
void extend_dataset(const std::filesystem::path& path, const DatasetHeader& header) {
  io::AtomicFile next(path);
  next.copy_from(path);
  {
    auto file = hdf5::File::open_read_write(next.temporary_path());
    file.write_int64_attribute("samples", header.samples);
    file.write_int64_attribute("sample_count", header.range.count);
    file.close();
  }
  next.commit();
}

// Whether process `pid` still runs. A killed process that nobody has reaped yet (a zombie, as
// when its parent died first and PID 1 does not reap) still answers kill(pid, 0) but will never
// write again.
bool process_is_running(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    return false;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto state = line.rfind(") ");
  return state == std::string::npos || state + 2 >= line.size() || line[state + 2] != 'Z';
}

// Temporaries of writers that were killed: ".<name>.tmp-<pid>-<n>" of a process that is gone.
void remove_stale_temporaries(const std::filesystem::path& path) {
  const std::string prefix = "." + path.filename().string() + ".tmp-";
  std::error_code status;
  const auto directory =
      path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  for (const auto& entry : std::filesystem::directory_iterator(directory, status)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) {
      continue;
    }
    const auto pid = static_cast<pid_t>(std::atol(name.c_str() + prefix.size()));
    if (pid > 0 && !process_is_running(pid)) {
      std::filesystem::remove(entry.path(), status);
    }
  }
}

}  // namespace

DatasetHeader dataset_header(const Campaign& campaign, const Shard& shard,
                             const std::string& ngspice_version,
                             const std::string& ngspice_solver) {
  const auto& config = campaign.config();
  DatasetHeader header;
  header.configuration_text = campaign.configuration_text();
  header.configuration_hash = campaign.configuration_hash();
  header.imcosim_version = version_string;
  // A network's fast back-end reads the neuron's ngspice characterisation.
  const bool uses_ngspice = campaign.runs_spice() || campaign.is_network();
  header.ngspice_version = uses_ngspice ? ngspice_version : "";
  header.ngspice_solver = uses_ngspice ? ngspice_solver : "";
  header.seed = static_cast<std::int64_t>(config.seed);
  header.samples = config.samples;
  header.vectors_per_sample = config.vectors_per_sample;
  header.subject = campaign.is_network() ? "network" : "tile";
  header.rows = config.rows;
  header.cols = config.cols;
  header.devices = campaign.device_count();
  header.spice_every = config.spice_every;
  header.store_conductances = config.store_conductances;
  header.store_targets = config.store_targets;
  header.targets = std::string(target_mode_name(config.targets));
  header.labelled = campaign.labelled();
  header.deflate_level = config.deflate_level;
  header.outputs = campaign.output_names();
  header.solver_method = config.solver ? std::string(solver::method_name(*config.solver)) : "";
  header.shard = shard;
  header.range = shard_range(shard, config.samples);
  return header;
}

DatasetHeader read_dataset_header(const std::filesystem::path& path) {
  const auto file = hdf5::File::open_read_only(path);
  if (!file.has_attribute("schema") || file.read_string_attribute("schema") != schema) {
    throw CampaignError(ErrorKind::bad_input,
                        path.string() +
                            " is not an imcosim campaign dataset (no attribute schema = " +
                            std::string(schema) + ")");
  }
  DatasetHeader header;
  header.configuration_text = file.read_string_attribute("configuration");
  header.configuration_hash = file.read_string_attribute("configuration_hash");
  header.imcosim_version = file.read_string_attribute("imcosim_version");
  if (file.has_attribute("ngspice_version")) {
    header.ngspice_version = file.read_string_attribute("ngspice_version");
  }
  if (file.has_attribute("ngspice_solver")) {
    header.ngspice_solver = file.read_string_attribute("ngspice_solver");
  }
  header.seed = file.read_int64_attribute("seed");
  header.samples = file.read_int64_attribute("samples");
  header.vectors_per_sample = file.read_int64_attribute("vectors_per_sample");
  header.subject = file.read_string_attribute("subject");
  header.rows = file.read_int64_attribute("rows");
  header.cols = file.read_int64_attribute("cols");
  header.devices = file.read_int64_attribute("devices");
  header.spice_every = file.read_int64_attribute("spice_every");
  header.store_conductances = file.read_int64_attribute("store_conductances") != 0;
  header.store_targets =
      file.has_attribute("store_targets") && file.read_int64_attribute("store_targets") != 0;
  header.labelled = file.has_attribute("labels") && file.read_int64_attribute("labels") != 0;
  if (file.has_attribute("targets")) {
    header.targets = file.read_string_attribute("targets");
  }
  header.deflate_level = static_cast<int>(file.read_int64_attribute("deflate_level"));
  header.outputs = split(file.read_string_attribute("outputs"));
  if (file.has_attribute("solver_method")) {
    header.solver_method = file.read_string_attribute("solver_method");
  }
  header.shard = parse_shard(file.read_string_attribute("shard"));
  header.range = {file.read_int64_attribute("first_sample"),
                  file.read_int64_attribute("sample_count")};
  return header;
}

std::int64_t read_completed_samples(const std::filesystem::path& path) {
  return hdf5::File::open_read_only(path).read_int64_attribute("completed_samples");
}

SampleBlock read_sample_block(const std::filesystem::path& path, const DatasetHeader& header,
                              std::int64_t first, std::int64_t count) {
  const auto file = hdf5::File::open_read_only(path);
  SampleBlock block = empty_block(header);
  block.first_sample = first;
  block.sample_count = count;
  for (const auto& spec : dataset_specs(header)) {
    const std::uint64_t start =
        rows_for(header, spec, header.range.first, first - header.range.first);
    block_rows(block, spec) =
        file.open_dataset(spec.path).read_rows(start, rows_for(header, spec, first, count));
  }
  return block;
}

DatasetWriter::DatasetWriter(std::filesystem::path path, DatasetHeader header)
    : path_(std::move(path)), header_(std::move(header)) {
  remove_stale_temporaries(path_);
  // 1. A new file: every dataset, no rows, committed at once so that it exists from the start.
  std::error_code status;
  if (!std::filesystem::exists(path_, status)) {
    io::AtomicFile created(path_);
    create_dataset_file(created.temporary_path(), header_);
    created.commit();
    return;
  }

  // 2. An existing file must be an earlier run of this very campaign part.
  const auto existing = read_dataset_header(path_);
  const bool unsharded = header_.shard.count == 1;
  if (!unsharded && existing.configuration_hash == header_.configuration_hash &&
      existing.samples != header_.samples) {
    throw CampaignError(ErrorKind::bad_input,
                        path_.string() + " is shard " + shard_text(existing.shard) + " of " +
                            std::to_string(existing.samples) + " samples of this campaign; a " +
                            "shard's range depends on the samples, so shards do not grow: merge "
                            "them and extend the merged file");
  }
  if (!same_identity(existing, header_)) {
    throw CampaignError(ErrorKind::bad_input,
                        path_.string() + " holds another campaign's dataset (configuration " +
                            existing.configuration_hash + ", shard " + shard_text(existing.shard) +
                            ", imcosim " + existing.imcosim_version + "; this run: configuration " +
                            header_.configuration_hash + ", shard " + shard_text(header_.shard) +
                            ", imcosim " + header_.imcosim_version +
                            "); remove it or write to another file");
  }
  if (existing.range.count > header_.range.count) {
    throw CampaignError(
        ErrorKind::bad_input,
        path_.string() + " holds a dataset of " + std::to_string(existing.range.count) +
            " samples of this campaign; this run asks for " + std::to_string(header_.range.count) +
            ", and a dataset only grows; give samples = " + std::to_string(existing.range.count) +
            " or more");
  }
  if (existing.range.count < header_.range.count) {
    extend_dataset(path_, header_);
  }
  completed_ = read_completed_samples(path_);
  const auto file = hdf5::File::open_read_only(path_);
  for (const auto& spec : dataset_specs(header_)) {
    const auto shape = file.open_dataset(spec.path).shape();
    const auto expected = rows_for(header_, spec, header_.range.first, completed_);
    if (completed_ < 0 || completed_ > header_.range.count || shape.size() != 2 ||
        shape[0] != expected) {
      throw CampaignError(
          ErrorKind::bad_input,
          path_.string() + ":/" + spec.path + " has shape " + hdf5::shape_text(shape) +
              " but completed_samples = " + std::to_string(completed_) + " needs " +
              std::to_string(expected) + " rows; the file was not written by imcosim dataset");
    }
  }
}

std::int64_t DatasetWriter::next_block_samples(std::int64_t block_samples) const noexcept {
  return std::min(header_.range.count - completed_, std::max(block_samples, completed_ / 8));
}

void DatasetWriter::append(const SampleBlock& block) {
  const std::int64_t expected_first = header_.range.first + completed_;
  if (block.first_sample != expected_first ||
      completed_ + block.sample_count > header_.range.count) {
    throw CampaignError(ErrorKind::runtime, path_.string() + ": block of samples " +
                                                std::to_string(block.first_sample) + " + " +
                                                std::to_string(block.sample_count) +
                                                " does not continue at " +
                                                std::to_string(expected_first));
  }
  // 1. Copy the committed file; append the block and the new count to the copy.
  io::AtomicFile next(path_);
  next.copy_from(path_);
  {
    auto file = hdf5::File::open_read_write(next.temporary_path());
    for (const auto& spec : dataset_specs(header_)) {
      file.open_dataset(spec.path).append_rows(block_rows(block, spec));
    }
    file.write_int64_attribute("completed_samples", completed_ + block.sample_count);
    file.close();
  }
  // 2. Make the copy durable and rename it over the file: the block and the count become
  //    visible together, or not at all.
  next.commit();
  completed_ += block.sample_count;
}

}  // namespace imcosim::campaign
