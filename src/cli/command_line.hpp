#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "imcosim/io/output_lock.hpp"

namespace imcosim::cli {

namespace po = boost::program_options;

// What one subcommand declares about its command line.
struct CommandSyntax {
  CommandSyntax(std::string name_, std::string usage_, std::string summary_)
      : name(std::move(name_)), usage(std::move(usage_)), summary(std::move(summary_)) {}

  std::string name;     // e.g. "solve"
  std::string usage;    // e.g. "PROBLEM.h5 -o RESULT.h5 [options]"
  std::string summary;  // one paragraph shown under the usage line
  po::options_description options{"Options"};
  po::positional_options_description positional;
  // Options naming files the command reads and files it writes (string or list values):
  // parse_command_line refuses an output that is the same file as an input, by device and
  // inode, so that no spelling of a path (./p.h5, a link) lets a result replace its input.
  std::vector<std::string> input_files;
  std::vector<std::string> output_files;
  // Options naming a directory the command writes its files into (cosim, tpu): claimed like an
  // output file, by a lock beside the directory, whose parent is created for that if missing.
  std::vector<std::string> output_directories;
  // False on the MPI ranks whose root claims the outputs for the whole job (dataset, cosim).
  bool lock_outputs = true;
  // Filled by parse_command_line: a claim on every output file and directory, held while the syntax
  // object lives (the command's run), so that a second writer of the same file is refused.
  std::vector<io::OutputLock> output_locks;
};

// Parses `args` (the words after the subcommand name) against `syntax`.
// Returns nullopt when --help was asked for (the help has then been printed to stdout).
// Throws imcosim::UsageError, naming the option, for anything malformed and for an output
// file that is one of the input files; io::IoError when another process is writing an output.
std::optional<po::variables_map> parse_command_line(CommandSyntax& syntax,
                                                    const std::vector<std::string>& args);

// Throws UsageError naming the first of `options` that the command line gave (not a default):
// options of one mode given in another, e.g. sweep settings without --sweep. `context` ends the
// message: "--sizes " + context.
void reject_given_options(const po::variables_map& values, const std::vector<std::string>& options,
                          const std::string& context);

// Throws UsageError unless `sample` indexes one of the `sample_count` input vectors of the
// problem file at `problem_path`; `option` is the option that named it, e.g. "--sample".
void check_sample_option(const std::string& option, long sample, const std::string& problem_path,
                         long sample_count);

// The rows of an input file that a command uses: --first and --count.
struct SampleRange {
  long first = 0;
  long count = 0;
};

// Declares --first (default 0) and --count (default: every row from --first).
void add_sample_range_options(CommandSyntax& syntax);

// The rows that --first and --count select among the `sample_count` rows of `path`; throws
// UsageError naming both options and `path` when they do not fit.
[[nodiscard]] SampleRange sample_range(const po::variables_map& values, long sample_count,
                                       const std::string& path);

}  // namespace imcosim::cli
