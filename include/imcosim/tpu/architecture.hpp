#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace imcosim::tpu {

// Which operand stays in the processing elements while the others stream through.
enum class DataflowKind { output_stationary, weight_stationary, input_stationary };

// "os", "ws" or "is", as SCALE-Sim spells them; throws TpuError for anything else.
DataflowKind parse_dataflow(std::string_view code);
std::string_view dataflow_code(DataflowKind kind) noexcept;

// R x C processing elements; both at least 1.
struct ArrayShape {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

// SCALE-Sim's [run_presets] InterfaceBandwidth: CALC asks for the bandwidth a stall-free run
// needs, USER gives DRAM bandwidths per memory bank.
enum class InterfaceBandwidthMode { calculated, user };

// The contents of a SCALE-Sim v2 .cfg file, validated.
struct ArchitectureConfig {
  std::string run_name;
  ArrayShape array;
  std::int64_t ifmap_sram_kib = 0;
  std::int64_t filter_sram_kib = 0;
  std::int64_t ofmap_sram_kib = 0;
  std::int64_t ifmap_offset = 0;
  std::int64_t filter_offset = 10000000;
  std::int64_t ofmap_offset = 20000000;
  DataflowKind dataflow = DataflowKind::output_stationary;
  InterfaceBandwidthMode bandwidth_mode = InterfaceBandwidthMode::calculated;
  std::vector<std::int64_t> bandwidth_words_per_cycle;
  std::int64_t memory_banks = 1;
};

// Reads a SCALE-Sim config file. Keys are case-insensitive (as Python's configparser treats
// them); unknown sections and keys are ignored so that configs of later SCALE-Sim versions load.
// Throws TpuError naming the file, the line and what was expected.
ArchitectureConfig read_architecture_config(const std::filesystem::path& path);

// The same from text already in memory; `source_name` names it in error messages.
ArchitectureConfig parse_architecture_config(std::string_view text, std::string_view source_name);

}  // namespace imcosim::tpu
