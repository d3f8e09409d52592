#include "sample_streams.hpp"

namespace imcosim::campaign {

device::RandomStream stream_for(std::uint64_t sample_seed, Stream stream) {
  return device::RandomStream(device::derive_seed(sample_seed, static_cast<std::uint64_t>(stream)));
}

Eigen::MatrixXd sample_inputs(const CampaignConfig& config, const Eigen::MatrixXd& file_inputs_volt,
                              std::int64_t sample, std::uint64_t sample_seed) {
  const Eigen::Index vectors = config.vectors_per_sample;
  Eigen::MatrixXd inputs_volt(vectors, config.rows);
  if (config.input_source == InputSource::random) {
    auto input_stream = stream_for(sample_seed, Stream::inputs);
    for (Eigen::Index k = 0; k < vectors; ++k) {
      for (Eigen::Index i = 0; i < config.rows; ++i) {
        inputs_volt(k, i) = input_stream.uniform(config.v_min_volt, config.v_max_volt);
      }
    }
  } else {
    for (Eigen::Index k = 0; k < vectors; ++k) {
      inputs_volt.row(k) = file_inputs_volt.row((sample * vectors + k) % file_inputs_volt.rows());
    }
  }
  return inputs_volt;
}

}  // namespace imcosim::campaign
