#pragma once

// Drawing the devices of one crossbar tile from a DeviceModel. Every function visits devices in
// row-major order ((0,0), (0,1), ..., (M-1,N-1)) and consumes a fixed number of variates per
// device (except redraws of the truncated normal), so a stream seeded identically gives an
// identical tile.

#include <Eigen/Core>
#include <cstdint>

#include "imcosim/device/device_model.hpp"
#include "imcosim/device/random_stream.hpp"

namespace imcosim::device {

enum class Fault : std::uint8_t { none = 0, stuck_lrs = 1, stuck_hrs = 2 };
using FaultMap = Eigen::Matrix<Fault, Eigen::Dynamic, Eigen::Dynamic>;

// A tile after programming and drift, before any read.
struct ProgrammedTile {
  Eigen::MatrixXd target_g_siemens;      // M x N: the intended states (the nominal circuit)
  Eigen::MatrixXd programmed_g_siemens;  // M x N: after d2d variation, faults and drift
  FaultMap faults;                       // M x N
};

// Targets drawn uniformly from the model's programmable states: one stream.index() per device.
[[nodiscard]] Eigen::MatrixXd draw_target_states(const DeviceModel& model, Eigen::Index rows,
                                                 Eigen::Index cols, RandomStream& stream);

// Programs every device towards its target. Per device: one uniform decides the fault
// (u < stuck_lrs_fraction: stuck at g_max; u < stuck_lrs_fraction + stuck_hrs_fraction: stuck at
// g_min), then one d2d variate (drawn for healthy devices only) moves the conductance away from
// the target, then drift scales it by (read_time / drift_t0)^-nu. Stuck devices neither vary
// nor drift: they sit at the conductance of their stuck state.
[[nodiscard]] ProgrammedTile program_tile(const DeviceModel& model,
                                          const Eigen::MatrixXd& target_g_siemens,
                                          RandomStream& stream);

// The conductances one read sees: every healthy device's programmed conductance times
// (1 + c z), z ~ N(0, 1) drawn afresh per device and read, redrawn while the factor is <= 0;
// c = c2c_noise_percent / 100. Without read noise the programmed conductances, drawing nothing.
[[nodiscard]] Eigen::MatrixXd read_conductances(const DeviceModel& model,
                                                const ProgrammedTile& tile, RandomStream& stream);

}  // namespace imcosim::device
