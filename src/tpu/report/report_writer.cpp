#include <charconv>
#include <sstream>
#include <system_error>

#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/report.hpp"

namespace imcosim::tpu {

namespace {

// Shortest round-trip text, as Python's str(float) writes SCALE-Sim's figures ("18.375",
// "100.0"), so reports compare digit for digit.
std::string python_float(double value) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, error == std::errc() ? end : buffer);
  if (text.find_first_of(".eni") == std::string::npos) {
    text += ".0";
  }
  return text;
}

}  // namespace

std::string format_compute_report(const std::vector<LayerReport>& layers) {
  std::ostringstream out;
  out << "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
         "Compute Util %,\n";
  for (std::size_t id = 0; id < layers.size(); ++id) {
    const auto& timing = layers[id].timing;
    out << id << ", " << timing.total_cycles << ", " << timing.stall_cycles << ", "
        << python_float(timing.overall_util_percent) << ", "
        << python_float(timing.mapping_efficiency_percent) << ", "
        << python_float(timing.compute_util_percent) << ",\n";
  }
  return out.str();
}

std::string format_tpu_report(const std::vector<LayerReport>& layers,
                              const ArchitectureConfig& config, double clock_mhz) {
  std::ostringstream out;
  out << "# imcosim tpu report: run " << config.run_name << ", array " << config.array.rows << "x"
      << config.array.cols << ", dataflow " << dataflow_code(config.dataflow) << ", clock "
      << python_float(clock_mhz) << " MHz, stall-free\n";
  out << "LayerID,Layer name,Sr,Sc,T,Row folds,Col folds,Cycles per fold,Total Cycles,"
         "Time (us),MACs,IFMAP SRAM reads,Filter SRAM reads,OFMAP SRAM writes,"
         "IFMAP DRAM reads,Filter DRAM reads,OFMAP DRAM writes,"
         "IFMAP DRAM BW (words/cycle),Filter DRAM BW (words/cycle),OFMAP DRAM BW (words/cycle)\n";
  std::int64_t cycles_sum = 0;
  for (std::size_t id = 0; id < layers.size(); ++id) {
    const auto& [layer, timing, dram] = layers[id];
    cycles_sum += timing.total_cycles;
    out << id << ',' << layer.name << ',' << timing.dims.spatial_rows << ','
        << timing.dims.spatial_cols << ',' << timing.dims.temporal << ',' << timing.row_folds << ','
        << timing.col_folds << ',' << timing.cycles_per_fold << ',' << timing.total_cycles << ','
        << python_float(static_cast<double>(timing.total_cycles) / clock_mhz) << ','
        << timing.mac_operations << ',' << timing.sram.ifmap_reads << ','
        << timing.sram.filter_reads << ',' << timing.sram.ofmap_writes << ',' << dram.ifmap_reads
        << ',' << dram.filter_reads << ',' << dram.ofmap_writes << ','
        << python_float(dram.ifmap_bandwidth_words_per_cycle) << ','
        << python_float(dram.filter_bandwidth_words_per_cycle) << ','
        << python_float(dram.ofmap_bandwidth_words_per_cycle) << '\n';
  }
  out << "# total cycles " << cycles_sum << ", total time "
      << python_float(static_cast<double>(cycles_sum) / clock_mhz) << " us\n";
  return out.str();
}

}  // namespace imcosim::tpu
