#include "run_output.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>

namespace imcosim::cli {

namespace {

struct RunOutput {
  std::string command;
  bool json = false;
  bool quiet = false;
  JsonObject fields;
  // A stream without a buffer: everything written to it is dropped.
  std::ostream discarded{nullptr};
};

RunOutput& run_output() {
  static RunOutput output;
  return output;
}

void write_string(std::ostream& out, const std::string& text) {
  out << '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out << "\\\"";
        break;
      case '\\':
        out << "\\\\";
        break;
      case '\n':
        out << "\\n";
        break;
      case '\r':
        out << "\\r";
        break;
      case '\t':
        out << "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out << escaped;
        } else {
          out << c;
        }
    }
  }
  out << '"';
}

void write_value(std::ostream& out, const JsonValue& value) {
  if (std::holds_alternative<std::nullptr_t>(value)) {
    out << "null";
  } else if (const auto* flag = std::get_if<bool>(&value)) {
    out << (*flag ? "true" : "false");
  } else if (const auto* whole = std::get_if<std::int64_t>(&value)) {
    out << *whole;
  } else if (const auto* number = std::get_if<double>(&value)) {
    if (std::isfinite(*number)) {
      // Enough digits to read back the same double.
      out.precision(std::numeric_limits<double>::max_digits10);
      out << *number;
    } else {
      out << "null";
    }
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    write_string(out, *text);
  } else {
    out << std::get<std::shared_ptr<JsonObject>>(value)->text();
  }
}

}  // namespace

JsonObject& JsonObject::put(const std::string& key, JsonValue value) {
  for (auto& [name, existing] : members_) {
    if (name == key) {
      existing = std::move(value);
      return *this;
    }
  }
  members_.emplace_back(key, std::move(value));
  return *this;
}

JsonObject& JsonObject::object(const std::string& key) {
  for (auto& [name, existing] : members_) {
    if (name == key) {
      if (auto* nested = std::get_if<std::shared_ptr<JsonObject>>(&existing)) {
        return **nested;
      }
    }
  }
  auto nested = std::make_shared<JsonObject>();
  put(key, nested);
  return *nested;
}

std::string JsonObject::text() const {
  std::ostringstream out;
  out << '{';
  for (std::size_t k = 0; k < members_.size(); ++k) {
    out << (k == 0 ? "" : ", ");
    write_string(out, members_[k].first);
    out << ": ";
    write_value(out, members_[k].second);
  }
  out << '}';
  return out.str();
}

void configure_run_output(const std::string& command, bool json, bool quiet) {
  auto& output = run_output();
  output.command = command;
  output.json = json;
  output.quiet = quiet;
}

std::ostream& summary_out() {
  const auto& output = run_output();
  return output.json || output.quiet ? run_output().discarded : std::cout;
}

std::ostream& notes_out() { return run_output().quiet ? run_output().discarded : std::cerr; }

bool quiet() { return run_output().quiet; }

JsonObject& json_summary() { return run_output().fields; }

void finish_run_output(int exit_code, const std::string& error) {
  auto& output = run_output();
  if (!output.json) {
    return;
  }
  JsonObject result;
  result.set("command", output.command);
  result.set("exit_code", exit_code);
  if (!error.empty()) {
    result.set("error", error);
  }
  result.set("result", std::make_shared<JsonObject>(output.fields));
  std::cout << result.text() << std::endl;
}

}  // namespace imcosim::cli
