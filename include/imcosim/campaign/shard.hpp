#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace imcosim::campaign {

// Part k of n of a campaign (0 <= k < n): the contiguous samples
// [floor(k S / n), floor((k + 1) S / n)) of its S samples. Shards run anywhere, in any order;
// merging them in order gives the unsharded dataset.
struct Shard {
  std::int64_t index = 0;
  std::int64_t count = 1;
};

struct SampleRange {
  std::int64_t first = 0;
  std::int64_t count = 0;
};

// "k/n"; throws CampaignError (bad_input) naming the text.
[[nodiscard]] Shard parse_shard(std::string_view text);
[[nodiscard]] std::string shard_text(const Shard& shard);
[[nodiscard]] SampleRange shard_range(const Shard& shard, std::int64_t samples);

}  // namespace imcosim::campaign
