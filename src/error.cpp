#include "imcosim/error.hpp"

namespace imcosim {

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind) {}

}  // namespace imcosim
