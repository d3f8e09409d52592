#pragma once

// What every sample of a campaign, tile or network, draws from its own seed.

#include <Eigen/Core>
#include <cstdint>

#include "imcosim/campaign/config.hpp"
#include "imcosim/device/random_stream.hpp"

namespace imcosim::campaign {

// Independent streams of one sample, derived from its seed: the same devices whatever the
// inputs, and the same inputs whatever the device model.
enum class Stream : std::uint64_t { devices = 0, inputs = 1, reads = 2 };

[[nodiscard]] device::RandomStream stream_for(std::uint64_t sample_seed, Stream stream);

// The K x M input vectors of sample `sample`: uniform in [v_min, v_max) from its inputs stream,
// or rows sample K ... sample K + K - 1 of the input file's (wrapped around).
[[nodiscard]] Eigen::MatrixXd sample_inputs(const CampaignConfig& config,
                                            const Eigen::MatrixXd& file_inputs_volt,
                                            std::int64_t sample, std::uint64_t sample_seed);

}  // namespace imcosim::campaign
