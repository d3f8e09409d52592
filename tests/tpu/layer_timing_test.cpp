// Hand-checkable cycle counts and utilisations, worked out from SCALE-Sim's per-fold formulas:
// OS fold = T + R + C - 2 cycles; WS and IS fold = 2R + C + T - 2; Total Cycles = folds * fold - 1.
#include "imcosim/tpu/layer_timing.hpp"

#include <gtest/gtest.h>

#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/memory_traffic.hpp"

namespace imcosim::tpu {
namespace {

LayerTiming analyse(const ConvLayer& layer, ArrayShape array, DataflowKind kind) {
  return analyse_layer(layer, array, *make_dataflow(kind));
}

TEST(LayerTiming, OneByOneArrayRunsOneMacPerCycle) {
  const auto gemm = gemm_as_conv_layer("g", 2, 3, 4);  // M=2, N=3, K=4
  const auto os = analyse(gemm, {1, 1}, DataflowKind::output_stationary);
  EXPECT_EQ(os.folds(), 6);
  EXPECT_EQ(os.cycles_per_fold, 4);
  EXPECT_EQ(os.total_cycles, 23);
  EXPECT_DOUBLE_EQ(os.mapping_efficiency_percent, 100.0);
  EXPECT_DOUBLE_EQ(os.compute_util_percent, 100.0);
  EXPECT_DOUBLE_EQ(os.overall_util_percent, 24.0 * 100.0 / 23.0);
  EXPECT_EQ(os.sram, (SramAccessCounts{24, 24, 6}));

  const auto ws = analyse(gemm, {1, 1}, DataflowKind::weight_stationary);  // Sr=4 Sc=3 T=2
  EXPECT_EQ(ws.folds(), 12);
  EXPECT_EQ(ws.cycles_per_fold, 3);
  EXPECT_EQ(ws.total_cycles, 35);
  EXPECT_DOUBLE_EQ(ws.compute_util_percent, 2.0 / 3.0 * 100.0);
  EXPECT_EQ(ws.sram, (SramAccessCounts{24, 12, 24}));

  const auto is = analyse(gemm, {1, 1}, DataflowKind::input_stationary);  // Sr=4 Sc=2 T=3
  EXPECT_EQ(is.folds(), 8);
  EXPECT_EQ(is.cycles_per_fold, 4);
  EXPECT_EQ(is.total_cycles, 31);
  EXPECT_DOUBLE_EQ(is.compute_util_percent, 3.0 / 4.0 * 100.0);
  EXPECT_EQ(is.sram, (SramAccessCounts{8, 24, 24}));
}

TEST(LayerTiming, NonSquareLayerOnFourByFour) {
  // 6 x 5 input, 3 x 2 filter, 2 channels, 5 filters: ofmap 4 x 4 = 16 pixels, window 12.
  const ConvLayer layer{"c", 6, 5, 3, 2, 2, 5, 1, 1};
  const auto os = analyse(layer, {4, 4}, DataflowKind::output_stationary);
  EXPECT_EQ(os.dims.spatial_rows, 16);
  EXPECT_EQ(os.dims.spatial_cols, 5);
  EXPECT_EQ(os.dims.temporal, 12);
  EXPECT_EQ(os.row_folds, 4);
  EXPECT_EQ(os.col_folds, 2);
  EXPECT_EQ(os.cycles_per_fold, 18);
  EXPECT_EQ(os.total_cycles, 143);
  EXPECT_DOUBLE_EQ(os.mapping_efficiency_percent, 62.5);
  EXPECT_NEAR(os.compute_util_percent, 80.0 * 12.0 / (16.0 * 18.0 * 8.0) * 100.0, 1e-12);
  EXPECT_NEAR(os.overall_util_percent, 960.0 * 100.0 / (143.0 * 16.0), 1e-12);

  const auto ws = analyse(layer, {4, 4}, DataflowKind::weight_stationary);  // Sr=12 Sc=5 T=16
  EXPECT_EQ(ws.folds(), 6);
  EXPECT_EQ(ws.cycles_per_fold, 8 + 4 + 16 - 2);
  EXPECT_EQ(ws.total_cycles, 6 * 26 - 1);
  const auto is = analyse(layer, {4, 4}, DataflowKind::input_stationary);  // Sr=12 Sc=16 T=5
  EXPECT_EQ(is.folds(), 12);
  EXPECT_EQ(is.total_cycles, 12 * (8 + 4 + 5 - 2) - 1);
  EXPECT_DOUBLE_EQ(is.mapping_efficiency_percent, 100.0);
}

TEST(LayerTiming, StrideUsesScaleSimCeilFormula) {
  // ofmap = ceil((8 - 3 + 2) / 2) = 4 and ceil((7 - 3 + 2) / 2) = 3.
  const ConvLayer layer{"s", 8, 7, 3, 3, 1, 2, 2, 2};
  EXPECT_EQ(layer.ofmap_height(), 4);
  EXPECT_EQ(layer.ofmap_width(), 3);
  const auto os = analyse(layer, {4, 4}, DataflowKind::output_stationary);
  EXPECT_EQ(os.dims.spatial_rows, 12);
  EXPECT_EQ(os.total_cycles, 3 * (9 + 6) - 1);
  const ConvLayer tall_stride{"t", 9, 9, 3, 3, 1, 1, 3, 1};
  EXPECT_EQ(tall_stride.ofmap_height(), 3);
  EXPECT_EQ(tall_stride.ofmap_width(), 7);
}

TEST(LayerTiming, EightByThirtyTwoArray) {
  const auto gemm = gemm_as_conv_layer("g", 20, 70, 9);
  const auto os = analyse(gemm, {8, 32}, DataflowKind::output_stationary);
  EXPECT_EQ(os.folds(), 9);
  EXPECT_EQ(os.total_cycles, 9 * 47 - 1);
  EXPECT_NEAR(os.mapping_efficiency_percent, 1400.0 / (9.0 * 256.0) * 100.0, 1e-12);
  const auto ws = analyse(gemm, {8, 32}, DataflowKind::weight_stationary);
  EXPECT_EQ(ws.folds(), 6);
  EXPECT_EQ(ws.total_cycles, 6 * 66 - 1);
  const auto is = analyse(gemm, {8, 32}, DataflowKind::input_stationary);
  EXPECT_EQ(is.folds(), 2);
  EXPECT_EQ(is.total_cycles, 2 * 116 - 1);
  // The transposed array gives different figures: the model does not assume R == C.
  const auto transposed = analyse(gemm, {32, 8}, DataflowKind::output_stationary);
  EXPECT_EQ(transposed.folds(), 9);
  EXPECT_EQ(transposed.total_cycles, 9 * (9 + 32 + 8 - 2) - 1);
}

TEST(LayerTiming, RejectsEmptyArraysAndOversizedFilters) {
  const auto gemm = gemm_as_conv_layer("g", 2, 2, 2);
  EXPECT_THROW((void)analyse(gemm, {0, 4}, DataflowKind::output_stationary), TpuError);
  const ConvLayer too_big{"b", 3, 3, 4, 1, 1, 1, 1, 1};
  EXPECT_THROW((void)analyse(too_big, {4, 4}, DataflowKind::weight_stationary), TpuError);
}

TEST(DramTraffic, ResidentOperandsAreFetchedOnce) {
  ArchitectureConfig config;
  config.array = {4, 4};
  config.ifmap_sram_kib = config.filter_sram_kib = config.ofmap_sram_kib = 64;
  config.dataflow = DataflowKind::output_stationary;
  const ConvLayer layer{"c", 6, 5, 3, 2, 2, 5, 1, 1};
  const auto timing = analyse(layer, config.array, config.dataflow);
  const auto traffic = estimate_dram_traffic(layer, timing, config);
  EXPECT_EQ(traffic.ifmap_reads, 6 * 5 * 2);
  EXPECT_EQ(traffic.filter_reads, 12 * 5);
  EXPECT_EQ(traffic.ofmap_writes, 16 * 5);
  EXPECT_DOUBLE_EQ(traffic.ifmap_bandwidth_words_per_cycle, 60.0 / 144.0);
}

TEST(DramTraffic, OversizedOperandIsFetchedOncePerColumnFold) {
  ArchitectureConfig config;
  config.array = {4, 4};
  config.ifmap_sram_kib = config.filter_sram_kib = config.ofmap_sram_kib = 1;  // 512 words active
  config.dataflow = DataflowKind::weight_stationary;
  const ConvLayer layer{"c", 32, 32, 1, 1, 1, 8, 1, 1};  // 1024 input words, 2 column folds
  const auto timing = analyse(layer, config.array, config.dataflow);
  ASSERT_EQ(timing.col_folds, 2);
  EXPECT_EQ(estimate_dram_traffic(layer, timing, config).ifmap_reads, 2048);
}

}  // namespace
}  // namespace imcosim::tpu
