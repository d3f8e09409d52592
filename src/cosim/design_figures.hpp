#pragma once

// Latency, energy, weight memory and area of the two designs, from the TPU model's analytic
// timing and memory traffic, the IMAC circuit and the measured IMAC latency and power
// (docs/cosim.md, "Figures").

#include "imcosim/cosim/cosimulation.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/nn/network.hpp"
#include "imcosim/tpu/tpu_model.hpp"

namespace imcosim::cosim {

// The whole model on the TPU: its convolutions and the FC part's GEMMs.
DesignFigures tpu_only_figures(const nn::HybridNetwork& network, const nn::TpuProgram& program,
                               const tpu::TpuModel& tpu, const tpu::ArchitectureConfig& array,
                               const CostParameters& costs);

// The convolutions on the TPU, then the DAC, the FC part on `circuit` (its latency and average
// power measured by ngspice; NaN when not measured) and the read-out ADCs.
DesignFigures tpu_imac_figures(const nn::HybridNetwork& network, const nn::TpuProgram& program,
                               const tpu::TpuModel& tpu, const tpu::ArchitectureConfig& array,
                               const CostParameters& costs, const imac::ImacNetwork& circuit,
                               double imac_latency_s, double imac_power_watt);

}  // namespace imcosim::cosim
