#include "command_line.hpp"

#include <filesystem>
#include <iostream>

#include "../io/program_options_message.hpp"
#include "imcosim/error.hpp"
#include "run_output.hpp"

namespace imcosim::cli {

namespace {

// The paths an option was given: one string, a list of strings, or none.
std::vector<std::string> option_paths(const po::variables_map& values, const std::string& name) {
  if (values.count(name) == 0) {
    return {};
  }
  const auto& value = values[name].value();
  if (const auto* one = boost::any_cast<std::string>(&value)) {
    return {*one};
  }
  if (const auto* many = boost::any_cast<std::vector<std::string>>(&value)) {
    return *many;
  }
  return {};
}

void check_outputs_are_not_inputs(const CommandSyntax& syntax, const po::variables_map& values) {
  for (const auto& output_option : syntax.output_files) {
    for (const auto& output : option_paths(values, output_option)) {
      for (const auto& input_option : syntax.input_files) {
        for (const auto& input : option_paths(values, input_option)) {
          std::error_code status;
          if (std::filesystem::equivalent(output, input, status) && !status) {
            throw UsageError("imcosim " + syntax.name + ": the output " + output + " (--" +
                             output_option + ") is the input " + input + " (--" + input_option +
                             "): refusing to replace an input; write the result elsewhere");
          }
        }
      }
    }
  }
}

}  // namespace

std::optional<po::variables_map> parse_command_line(CommandSyntax& syntax,
                                                    const std::vector<std::string>& args) {
  syntax.options.add_options()("help,h", "show this help and exit")(
      "quiet,q", po::bool_switch(), "print no summary and no progress; only warnings and errors")(
      "json", po::bool_switch(),
      "print the summary as one JSON object on stdout instead of text (docs/user-guide.md)");
  po::variables_map values;
  try {
    po::store(po::command_line_parser(args)
                  .options(syntax.options)
                  .positional(syntax.positional)
                  .style(po::command_line_style::unix_style)
                  .run(),
              values);
    if (values.count("help") != 0) {
      std::cout << "Usage: imcosim " << syntax.name << ' ' << syntax.usage << "\n\n"
                << syntax.summary << "\n\n"
                << syntax.options << '\n';
      return std::nullopt;
    }
    po::notify(values);
    configure_run_output(syntax.name, values["json"].as<bool>(), values["quiet"].as<bool>());
  } catch (const po::error& error) {
    throw UsageError("imcosim " + syntax.name + ": " + io::program_options_message(error) +
                     " (see 'imcosim " + syntax.name + " --help')");
  }
  for (const auto& option : syntax.input_files) {
    for (const auto& input : option_paths(values, option)) {
      // A directory would read as an empty file (an INI without keys, an HDF5 open error).
      if (std::filesystem::is_directory(std::filesystem::path(input))) {
        throw UsageError("--" + option + " '" + input + "' is a directory; expected a file");
      }
    }
  }
  check_outputs_are_not_inputs(syntax, values);
  for (const auto& option : syntax.output_files) {
    for (const auto& output : option_paths(values, option)) {
      // Checked before anything runs: a name that cannot be a file would fail only at the end.
      if (output.empty() || output.back() == '/' ||
          std::filesystem::is_directory(std::filesystem::path(output))) {
        throw UsageError("--" + option + " '" + output +
                         "' is not a file name (empty, or a directory); name the file to write");
      }
      if (output == "-" && values["json"].as<bool>()) {
        throw UsageError("--" + option +
                         " - writes to stdout, where --json prints its summary; name a file");
      }
      if (output != "-" && syntax.lock_outputs) {
        syntax.output_locks.emplace_back(output);
      }
    }
  }
  for (const auto& option : syntax.output_directories) {
    for (const auto& output : option_paths(values, option)) {
      std::error_code status;
      // Absolute and normal, so that ".", "out/" and "a/../out" name the directory itself.
      std::filesystem::path directory =
          std::filesystem::absolute(output, status).lexically_normal();
      if (!directory.has_filename()) {
        directory = directory.parent_path();
      }
      if (output.empty() || status ||
          (std::filesystem::exists(directory, status) &&
           !std::filesystem::is_directory(directory, status))) {
        throw UsageError("--" + option + " '" + output +
                         "' is not a directory name (empty, or an existing file); name the "
                         "directory to write into");
      }
      if (directory.has_parent_path()) {
        std::filesystem::create_directories(directory.parent_path(), status);
      }
      if (syntax.lock_outputs) {
        syntax.output_locks.emplace_back(directory);
      }
    }
  }
  return values;
}

void reject_given_options(const po::variables_map& values, const std::vector<std::string>& options,
                          const std::string& context) {
  for (const auto& option : options) {
    if (values.count(option) != 0 && !values[option].defaulted()) {
      throw UsageError("--" + option + " " + context);
    }
  }
}

void check_sample_option(const std::string& option, long sample, const std::string& problem_path,
                         long sample_count) {
  if (sample < 0 || sample >= sample_count) {
    throw UsageError(option + " " + std::to_string(sample) + " is out of range: " + problem_path +
                     " /inputs holds " + std::to_string(sample_count) + " input vectors (0 to " +
                     std::to_string(sample_count - 1) + ")");
  }
}

void add_sample_range_options(CommandSyntax& syntax) {
  syntax.options.add_options()("first", po::value<long>()->default_value(0),
                               "first input sample to use")(
      "count", po::value<long>(), "number of input samples to use (default: all from --first)");
}

SampleRange sample_range(const po::variables_map& values, long sample_count,
                         const std::string& path) {
  const long first = values["first"].as<long>();
  // Written so that no value of --first or --count (e.g. near LONG_MIN or LONG_MAX) overflows.
  const long rest = first >= 0 ? sample_count - first : sample_count;
  const long count = values.count("count") != 0 ? values["count"].as<long>() : rest;
  if (first < 0 || count < 1 || count > sample_count || first > sample_count - count) {
    throw UsageError("--first " + std::to_string(first) + " --count " + std::to_string(count) +
                     " does not fit the " + std::to_string(sample_count) + " samples of " + path);
  }
  return {first, count};
}

}  // namespace imcosim::cli
