#include "imcosim/device/tile_devices.hpp"

#include <cmath>

namespace imcosim::device {

namespace {

// A factor 1 + spread z with z standard normal, redrawn until positive: a conductance cannot
// change sign, so the normal model is truncated at zero.
double positive_normal_factor(double spread, RandomStream& stream) {
  for (;;) {
    const double factor = 1.0 + spread * stream.standard_normal();
    if (factor > 0.0) {
      return factor;
    }
  }
}

// The device-to-device factor G / T of one healthy device.
double programming_factor(Variation variation, double spread, RandomStream& stream) {
  switch (variation) {
    case Variation::none:
      return 1.0;
    case Variation::normal:
      return positive_normal_factor(spread, stream);
    case Variation::lognormal:
      return std::exp(spread * stream.standard_normal());
    case Variation::uniform:
      return 1.0 + spread * stream.uniform(-1.0, 1.0);
  }
  return 1.0;
}

}  // namespace

Eigen::MatrixXd draw_target_states(const DeviceModel& model, Eigen::Index rows, Eigen::Index cols,
                                   RandomStream& stream) {
  const auto& states = model.state_g_siemens();
  Eigen::MatrixXd targets(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      targets(i, j) = states[stream.index(states.size())];
    }
  }
  return targets;
}

ProgrammedTile program_tile(const DeviceModel& model, const Eigen::MatrixXd& target_g_siemens,
                            RandomStream& stream) {
  const auto& parameters = model.parameters();
  const double spread = parameters.d2d_spread_percent / 100.0;
  const double lrs_limit = parameters.stuck_lrs_fraction;
  const double hrs_limit = lrs_limit + parameters.stuck_hrs_fraction;
  ProgrammedTile tile{
      target_g_siemens, Eigen::MatrixXd(target_g_siemens.rows(), target_g_siemens.cols()),
      FaultMap::Constant(target_g_siemens.rows(), target_g_siemens.cols(), Fault::none)};
  for (Eigen::Index i = 0; i < target_g_siemens.rows(); ++i) {
    for (Eigen::Index j = 0; j < target_g_siemens.cols(); ++j) {
      const double fault_draw = stream.uniform01();
      if (fault_draw < lrs_limit) {
        tile.faults(i, j) = Fault::stuck_lrs;
        tile.programmed_g_siemens(i, j) = model.stuck_lrs_g_siemens();
      } else if (fault_draw < hrs_limit) {
        tile.faults(i, j) = Fault::stuck_hrs;
        tile.programmed_g_siemens(i, j) = model.stuck_hrs_g_siemens();
      } else {
        tile.programmed_g_siemens(i, j) =
            target_g_siemens(i, j) * programming_factor(parameters.d2d_variation, spread, stream) *
            model.drift_factor();
      }
    }
  }
  return tile;
}

Eigen::MatrixXd read_conductances(const DeviceModel& model, const ProgrammedTile& tile,
                                  RandomStream& stream) {
  const double noise = model.parameters().c2c_noise_percent / 100.0;
  if (noise == 0.0) {
    return tile.programmed_g_siemens;
  }
  Eigen::MatrixXd read = tile.programmed_g_siemens;
  for (Eigen::Index i = 0; i < read.rows(); ++i) {
    for (Eigen::Index j = 0; j < read.cols(); ++j) {
      if (tile.faults(i, j) == Fault::none) {
        read(i, j) *= positive_normal_factor(noise, stream);
      }
    }
  }
  return read;
}

}  // namespace imcosim::device
