#pragma once

// The declared keys of an INI configuration as Boost.Program_options parsed them, read with
// messages that name the file (or the --set override) and the [section] key. Shared by the
// campaign and co-simulation configurations; `Failure` is the stage's error type, constructed
// as Failure(ErrorKind, message).

#include <boost/program_options.hpp>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "imcosim/error.hpp"

namespace imcosim::io {

template <typename Failure>
class IniKeys {
 public:
  // `overridden`: keys set on the command line, whose paths are relative to the working
  // directory and whose messages name the override.
  IniKeys(const boost::program_options::variables_map& values, std::string file,
          std::set<std::string> overridden = {})
      : values_(values), file_(std::move(file)), overridden_(std::move(overridden)) {}

  [[nodiscard]] Failure error(const std::string& key, const std::string& problem) const {
    return Failure(ErrorKind::bad_input, where(key) + " " + problem);
  }

  // "FILE: [section] key", or "--set section.key" for an override.
  [[nodiscard]] std::string where(const std::string& key) const {
    if (overridden_.contains(key)) {
      return "--set " + key;
    }
    return file_ + ": [" + key.substr(0, key.find('.')) + "] " + key.substr(key.find('.') + 1);
  }

  // Whether the file (or an override) sets `key`; a default does not count.
  [[nodiscard]] bool given(const std::string& key) const {
    return values_.count(key) != 0 && !values_[key].defaulted();
  }

  // Whether the file sets any key of `section`.
  [[nodiscard]] bool section_given(const std::string& section) const {
    for (const auto& [key, value] : values_) {
      if (key.starts_with(section + ".") && !value.defaulted()) {
        return true;
      }
    }
    return false;
  }

  template <typename Value>
  [[nodiscard]] Value get(const std::string& key) const {
    if (values_.count(key) == 0) {
      throw error(key, "is missing; it has no default");
    }
    return values_[key].template as<Value>();
  }

  [[nodiscard]] std::int64_t integer_at_least(const std::string& key, std::int64_t minimum) const {
    const auto value = get<std::int64_t>(key);
    if (value < minimum) {
      throw error(key,
                  "= " + std::to_string(value) + " must be at least " + std::to_string(minimum));
    }
    return value;
  }

  // A path key, resolved relative to the configuration file (an override: to the working
  // directory) wherever the command runs; the file must exist.
  [[nodiscard]] std::filesystem::path existing_file(const std::string& key,
                                                    const std::filesystem::path& config) const {
    const auto text = get<std::string>(key);
    const bool overridden = overridden_.contains(key);
    const auto resolved = overridden ? std::filesystem::path(text) : config.parent_path() / text;
    std::error_code status;
    if (!std::filesystem::is_regular_file(resolved, status)) {
      throw error(key, "= '" + text + "': " + resolved.string() +
                           " does not exist (a relative path is relative to " +
                           (overridden ? "the working directory)" : "the configuration file)"));
    }
    return resolved;
  }

 private:
  const boost::program_options::variables_map& values_;
  std::string file_;
  std::set<std::string> overridden_;
};

}  // namespace imcosim::io
