#include <gtest/gtest.h>

#include <string>

#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/error.hpp"
#include "tpu_test_support.hpp"

namespace imcosim::tpu {
namespace {

const std::string valid_config =
    "[general]\n"
    "run_name = trial\n"
    "\n"
    "[architecture_presets]\n"
    "ArrayHeight:    8\n"
    "ArrayWidth:     32\n"
    "IfmapSramSzkB:  64\n"
    "FilterSramSzkB: 32\n"
    "OfmapSramSzkB:  16\n"
    "IfmapOffset:    0\n"
    "FilterOffset:   10000000\n"
    "OfmapOffset:    20000000\n"
    "Bandwidth : 10\n"
    "Dataflow : ws\n"
    "MemoryBanks: 1\n"
    "\n"
    "[run_presets]\n"
    "InterfaceBandwidth: CALC\n";

// Replaces the first occurrence of `from` in the valid config.
std::string with(const std::string& from, const std::string& to) {
  std::string text = valid_config;
  text.replace(text.find(from), from.size(), to);
  return text;
}

std::string error_of(const std::string& text) {
  try {
    (void)parse_architecture_config(text, "arch.cfg");
  } catch (const TpuError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
    return error.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

TEST(ArchitectureConfig, ReadsScaleSimKeys) {
  const auto config = parse_architecture_config(valid_config, "arch.cfg");
  EXPECT_EQ(config.run_name, "trial");
  EXPECT_EQ(config.array.rows, 8);
  EXPECT_EQ(config.array.cols, 32);
  EXPECT_EQ(config.ifmap_sram_kib, 64);
  EXPECT_EQ(config.filter_sram_kib, 32);
  EXPECT_EQ(config.ofmap_sram_kib, 16);
  EXPECT_EQ(config.filter_offset, 10000000);
  EXPECT_EQ(config.dataflow, DataflowKind::weight_stationary);
  EXPECT_EQ(config.bandwidth_mode, InterfaceBandwidthMode::calculated);
  EXPECT_EQ(config.bandwidth_words_per_cycle, std::vector<std::int64_t>{10});
  EXPECT_EQ(config.memory_banks, 1);
}

TEST(ArchitectureConfig, KeysAreCaseInsensitiveLikeConfigparser) {
  const auto config = parse_architecture_config(with("ArrayHeight:", "arrayheight ="), "a.cfg");
  EXPECT_EQ(config.array.rows, 8);
}

TEST(ArchitectureConfig, ReadsTheExampleFile) {
  const auto config =
      read_architecture_config(testing::source_dir() / "examples/tpu/scalesim_32x32_os.cfg");
  EXPECT_EQ(config.array.rows, 32);
  EXPECT_EQ(config.dataflow, DataflowKind::output_stationary);
  const auto user =
      read_architecture_config(testing::source_dir() / "examples/tpu/scalesim_8x32_ws_user.cfg");
  EXPECT_EQ(user.array.rows, 8);
  EXPECT_EQ(user.array.cols, 32);
  EXPECT_EQ(user.bandwidth_mode, InterfaceBandwidthMode::user);
}

TEST(ArchitectureConfig, ErrorsNameTheFileLineAndExpectation) {
  EXPECT_NE(error_of(with("ArrayHeight:    8", "ArrayHeight: eight")).find("arch.cfg:5:"),
            std::string::npos);
  EXPECT_NE(error_of(with("ArrayWidth:     32", "ArrayWidth: 0")).find("integer >= 1"),
            std::string::npos);
  const auto dataflow = error_of(with("Dataflow : ws", "Dataflow : rs"));
  EXPECT_NE(dataflow.find("arch.cfg:14:"), std::string::npos) << dataflow;
  EXPECT_NE(dataflow.find("os, ws or is"), std::string::npos) << dataflow;
  EXPECT_NE(error_of(with("InterfaceBandwidth: CALC", "InterfaceBandwidth: FAST"))
                .find("expected CALC or USER"),
            std::string::npos);
  const auto missing = error_of(with("OfmapSramSzkB:  16\n", ""));
  EXPECT_NE(missing.find("missing key 'OfmapSramSzkB' in section [architecture_presets]"),
            std::string::npos)
      << missing;
  EXPECT_NE(error_of(with("[general]\n", "")).find("arch.cfg:1:"), std::string::npos);
  EXPECT_NE(error_of(with("Bandwidth : 10", "just words")).find("arch.cfg:13:"), std::string::npos);
  EXPECT_NE(error_of(with("[run_presets]", "[run_presets")).find("section header"),
            std::string::npos);
}

TEST(ArchitectureConfig, ARepeatedKeyOrSectionIsRefusedLikeConfigparser) {
  // Keys compare without case, as configparser's do: "arrayheight" repeats "ArrayHeight".
  const auto key = error_of(with("ArrayWidth:     32\n", "ArrayWidth: 32\narrayheight = 16\n"));
  EXPECT_NE(key.find("arch.cfg:7: key 'arrayheight' in section [architecture_presets] was "
                     "already given on line 5"),
            std::string::npos)
      << key;
  const auto section = error_of(valid_config + "[general]\nrun_name = again\n");
  EXPECT_NE(section.find("arch.cfg:19: section [general] appears a second time"), std::string::npos)
      << section;
}

TEST(ArchitectureConfig, UserBandwidthModeNeedsBandwidths) {
  const auto text = with("InterfaceBandwidth: CALC", "InterfaceBandwidth: USER");
  EXPECT_EQ(parse_architecture_config(text, "a.cfg").bandwidth_mode, InterfaceBandwidthMode::user);
  std::string no_bandwidth = text;
  no_bandwidth.replace(no_bandwidth.find("Bandwidth : 10\n"), 15, "");
  EXPECT_NE(error_of(no_bandwidth).find("gives no Bandwidth"), std::string::npos);
}

TEST(ArchitectureConfig, MissingFileIsBadInput) {
  try {
    (void)read_architecture_config("/nonexistent/arch.cfg");
    FAIL();
  } catch (const TpuError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("/nonexistent/arch.cfg"), std::string::npos);
  }
}

}  // namespace
}  // namespace imcosim::tpu
