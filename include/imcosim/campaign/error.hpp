#pragma once

#include <string>

#include "imcosim/error.hpp"

namespace imcosim::campaign {

// A campaign that cannot run: a bad configuration or shard (bad_input), or a dataset file that
// belongs to another campaign or cannot be written (bad_input or runtime).
class CampaignError : public Error {
 public:
  CampaignError(ErrorKind kind, const std::string& message) : Error(kind, message) {}
};

}  // namespace imcosim::campaign
