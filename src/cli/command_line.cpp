#include "command_line.hpp"

#include <iostream>

#include "imcosim/error.hpp"

namespace imcosim::cli {

std::optional<po::variables_map> parse_command_line(CommandSyntax& syntax,
                                                    const std::vector<std::string>& args) {
  syntax.options.add_options()("help,h", "show this help and exit");
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
  } catch (const po::error& error) {
    throw UsageError("imcosim " + syntax.name + ": " + error.what() + " (see 'imcosim " +
                     syntax.name + " --help')");
  }
  return values;
}

void check_sample_option(const std::string& option, long sample, const std::string& problem_path,
                         long sample_count) {
  if (sample < 0 || sample >= sample_count) {
    throw UsageError(option + " " + std::to_string(sample) + " is out of range: " + problem_path +
                     " /inputs holds " + std::to_string(sample_count) + " input vectors (0 to " +
                     std::to_string(sample_count - 1) + ")");
  }
}

}  // namespace imcosim::cli
