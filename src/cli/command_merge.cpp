#include <iostream>
#include <memory>

#include "command_line.hpp"
#include "imcosim/campaign/dataset_file.hpp"
#include "imcosim/error.hpp"
#include "progress_report.hpp"
#include "run_output.hpp"

namespace imcosim::cli {

int run_merge(const std::vector<std::string>& args) {
  CommandSyntax syntax(
      "merge", "SHARD.h5... -o DATA.h5",
      "Joins the complete shard files of one campaign (written by `imcosim dataset --shard k/n`,\n"
      "given in any order) into DATA.h5, identical in every dataset and attribute to the file of\n"
      "an unsharded run. Shards of different configurations or tool versions, incomplete,\n"
      "overlapping or missing shards are refused.");
  syntax.options.add_options()("shards", po::value<std::vector<std::string>>()->required(),
                               "shard files (HDF5)")(
      "output,o", po::value<std::string>()->required(), "merged dataset to write (HDF5)");
  syntax.positional.add("shards", -1);
  syntax.input_files = {"shards"};
  syntax.output_files = {"output"};
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const auto& names = (*values)["shards"].as<std::vector<std::string>>();
  const std::vector<std::filesystem::path> shards(names.begin(), names.end());
  const std::string output_path = (*values)["output"].as<std::string>();
  std::unique_ptr<ProgressReport> progress;
  campaign::merge_datasets(shards, output_path, [&](std::int64_t done, std::int64_t total) {
    if (!progress) {
      progress = std::make_unique<ProgressReport>("merge", total, 0);
    }
    progress->update(done);
  });
  if (progress) {
    progress->finish();
  }
  summary_out() << "merged " << shards.size() << " shards into " << output_path << "\n";
  json_summary().set("shards", shards.size()).set("output", output_path);
  return 0;
}

}  // namespace imcosim::cli
