#pragma once

#include <string>

#include "imcosim/error.hpp"

namespace imcosim::io {

// A file that cannot be read, does not match its declared format, or cannot be written.
// Messages name the file, the dataset or attribute, and what was expected.
class IoError : public Error {
 public:
  IoError(ErrorKind kind, const std::string& message) : Error(kind, message) {}
};

}  // namespace imcosim::io
