#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace imcosim::cli {

// Where a command's output goes, one convention for all of them:
// * the summary (results, tables, "wrote FILE") on stdout: summary_out();
// * notes (progress, "resuming ..."), on stderr: notes_out(); warnings and errors on stderr always.
// --quiet silences the summary and the notes; --json replaces the summary by one JSON object on
// stdout at the end (the fields the command records, its exit code, and its error if any), which
// --quiet does not silence. parse_command_line adds both options to every command.

// A JSON value: null, boolean, number, string, or an object of named values in insertion order.
class JsonObject;
using JsonValue = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string,
                               std::shared_ptr<JsonObject>>;

class JsonObject {
 public:
  // Adds or replaces `key` (keeping its place): a bool, any integer or floating-point number
  // (not finite: written as null), text, nullptr, or a shared JsonObject.
  template <typename T>
  JsonObject& set(const std::string& key, T value) {
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::nullptr_t>) {
      return put(key, JsonValue(value));
    } else if constexpr (std::is_integral_v<T>) {
      return put(key, JsonValue(static_cast<std::int64_t>(value)));
    } else if constexpr (std::is_floating_point_v<T>) {
      return put(key, JsonValue(static_cast<double>(value)));
    } else if constexpr (std::is_convertible_v<T, std::string>) {
      return put(key, JsonValue(std::string(value)));
    } else {
      return put(key, JsonValue(std::move(value)));
    }
  }
  // A nested object under `key`, created on first use.
  JsonObject& object(const std::string& key);

  // Compact JSON text (RFC 8259; strings escaped, UTF-8 passed through).
  [[nodiscard]] std::string text() const;

 private:
  JsonObject& put(const std::string& key, JsonValue value);

  std::vector<std::pair<std::string, JsonValue>> members_;
};

// Called by parse_command_line with the command's name ("imac fast") and the two options.
void configure_run_output(const std::string& command, bool json, bool quiet);

[[nodiscard]] std::ostream& summary_out();
[[nodiscard]] std::ostream& notes_out();
[[nodiscard]] bool quiet();

// The fields of the --json object (recorded whether or not --json was given).
[[nodiscard]] JsonObject& json_summary();

// Called by main once the command ended: with --json, prints the object with `exit_code` and,
// when the command failed, `error`.
void finish_run_output(int exit_code, const std::string& error);

}  // namespace imcosim::cli
