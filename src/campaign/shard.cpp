#include "imcosim/campaign/shard.hpp"

#include <charconv>

#include "imcosim/campaign/error.hpp"

namespace imcosim::campaign {

Shard parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  Shard shard;
  const auto parse = [&](std::string_view part, std::int64_t& value) {
    const auto* end = part.data() + part.size();
    const auto [stop, status] = std::from_chars(part.data(), end, value);
    return !part.empty() && status == std::errc() && stop == end;
  };
  if (slash == std::string_view::npos || !parse(text.substr(0, slash), shard.index) ||
      !parse(text.substr(slash + 1), shard.count) || shard.count < 1 || shard.index < 0 ||
      shard.index >= shard.count) {
    throw CampaignError(ErrorKind::bad_input, "--shard '" + std::string(text) +
                                                  "' is invalid; expected k/n with 0 <= k < n");
  }
  return shard;
}

std::string shard_text(const Shard& shard) {
  return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

SampleRange shard_range(const Shard& shard, std::int64_t samples) {
  const auto boundary = [&](std::int64_t k) {
    // k S / n without overflow for any S < 2^63 and n < 2^31.
    return (samples / shard.count) * k + (samples % shard.count) * k / shard.count;
  };
  const std::int64_t first = boundary(shard.index);
  return {first, boundary(shard.index + 1) - first};
}

}  // namespace imcosim::campaign
