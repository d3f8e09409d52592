#pragma once

// The per-access and per-component figures that turn a co-simulation's counts (TPU cycles, MACs,
// SRAM and DRAM accesses, conversions, tiles) into energy, time and area. Every value is a
// configuration key of docs/cosim.md, which cites where each default comes from; none is
// measured by imcosim, so every energy and area figure is only as good as these.

namespace imcosim::cosim {

struct CostParameters {
  // [tpu] the array clock.
  double clock_mhz = 500.0;
  // [energy] Horowitz, "Computing's energy problem", ISSCC 2014, 45 nm: an 8-bit multiply
  // 0.2 pJ plus an 8-bit add 0.03 pJ; an 8 KiB SRAM 64-bit read 10 pJ (1.25 pJ per byte); a DRAM
  // 64-bit access 1.3-2.6 nJ (the low end, 160 pJ per byte).
  double mac_pj = 0.23;
  double sram_pj_per_byte = 1.25;
  double dram_pj_per_byte = 160.0;
  // [conversion] the TPU -> IMAC DAC (one per IMAC input, all converting in parallel) and the
  // read-out ADC (one per output neuron, in parallel): energy and time per conversion.
  // Order-of-magnitude defaults of an 8-bit converter at ~1 GS/s (Walden figure of merit about
  // 10 fJ per conversion step: 2.6 pJ for 8 bits); replace them with your converter's figures.
  double dac_pj = 0.5;
  double dac_ns = 1.0;
  double adc_pj = 2.6;
  double adc_ns = 1.0;
  // [area] Horowitz 2014, 45 nm: an 8-bit multiplier 282 um^2 plus an 8-bit adder 36 um^2 per
  // PE (registers not included); SRAM: the 0.346 um^2 45 nm 6T cell at 70 % array efficiency,
  // about 4000 um^2 per KiB. IMAC periphery: assumed areas of one op-amp (difference amplifier
  // or summer), one analog neuron, one DAC and one ADC.
  double pe_um2 = 318.0;
  double sram_um2_per_kib = 4000.0;
  double opamp_um2 = 50.0;
  double neuron_um2 = 2.0;
  double dac_um2 = 100.0;
  double adc_um2 = 1000.0;
};

}  // namespace imcosim::cosim
