#pragma once

#include <stdexcept>
#include <string>

namespace imcosim {

// Whose fault a failure is decides the CLI's exit code: bad input (2) or a runtime failure (1).
enum class ErrorKind { bad_input, runtime };

// Root of every exception the library throws. Each stage derives one subclass
// (circuit::CircuitError, io::IoError, ...) so that callers can tell the stages apart.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message);
  [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// Malformed command line or option values; raised by the CLI layer.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ErrorKind::bad_input, message) {}
};

}  // namespace imcosim
