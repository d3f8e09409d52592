#include <string>
#include <vector>

#include "imcosim/error.hpp"

namespace imcosim::cli {

int run_tpu(const std::vector<std::string>& /*args*/) {
  throw Error(ErrorKind::runtime, "imcosim tpu: not built yet");
}

}  // namespace imcosim::cli
