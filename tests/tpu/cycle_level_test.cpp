// The register-level array against a plain GEMM and against the analytic cycle count.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "imcosim/tpu/dataflow.hpp"
#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/functional.hpp"
#include "imcosim/tpu/layer_timing.hpp"
#include "tpu_test_support.hpp"

namespace imcosim::tpu {
namespace {

constexpr DataflowKind all_dataflows[] = {DataflowKind::output_stationary,
                                          DataflowKind::weight_stationary,
                                          DataflowKind::input_stationary};

LayerTiming analytic(std::size_t m, std::size_t n, std::size_t k, ArrayShape array,
                     const Dataflow& dataflow) {
  return analyse_layer(
      gemm_as_conv_layer("g", static_cast<std::int64_t>(m), static_cast<std::int64_t>(n),
                         static_cast<std::int64_t>(k)),
      array, dataflow);
}

TEST(CycleLevel, MatchesReferenceGemmAndAnalyticCycles) {
  const std::vector<ArrayShape> arrays = {{1, 1}, {2, 3}, {4, 4}, {3, 5}, {8, 4}};
  const std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> shapes = {
      {5, 6, 7}, {9, 11, 3}, {1, 1, 1}, {16, 5, 12}, {2, 9, 20}};
  std::uint32_t seed = 11;
  for (const auto kind : all_dataflows) {
    const auto dataflow = make_dataflow(kind);
    for (const auto array : arrays) {
      for (const auto& [m, n, k] : shapes) {
        SCOPED_TRACE(std::string(dataflow_code(kind)) + " " + std::to_string(array.rows) + "x" +
                     std::to_string(array.cols) + " M=" + std::to_string(m) +
                     " N=" + std::to_string(n) + " K=" + std::to_string(k));
        const auto a = testing::random_matrix(m, k, ++seed);
        const auto b = testing::random_matrix(k, n, ++seed);
        const auto run = dataflow->simulate(a, b, array);
        EXPECT_EQ(run.outputs, testing::reference_gemm(a, b));
        const auto timing = analytic(m, n, k, array, *dataflow);
        EXPECT_EQ(run.cycles_stepped, timing.busy_cycles);
        EXPECT_EQ(run.mac_operations, static_cast<std::int64_t>(m * n * k));
        EXPECT_LE(run.last_output_cycle, timing.total_cycles);
      }
    }
  }
}

TEST(CycleLevel, LastOutputLeavesOnScaleSimsFinalCycleWhenFoldsAreFull) {
  // 2 x 3 array, M = N = 6, K = 5: every dataflow's last fold fills the array.
  const auto a = testing::random_matrix(6, 5, 3);
  const auto b = testing::random_matrix(5, 6, 4);
  for (const auto kind : all_dataflows) {
    const auto dataflow = make_dataflow(kind);
    const auto run = dataflow->simulate(a, b, {2, 3});
    EXPECT_EQ(run.last_output_cycle, analytic(6, 6, 5, {2, 3}, *dataflow).total_cycles)
        << dataflow_code(kind);
  }
}

TEST(CycleLevel, MinusOneTwentyEightEdgeCases) {
  const std::size_t window = 64;
  const Int8Matrix all_min(3, window, std::vector<std::int8_t>(3 * window, -128));
  const Int8Matrix all_min_b(window, 2, std::vector<std::int8_t>(window * 2, -128));
  std::vector<std::int8_t> alternating(window * 2);
  for (std::size_t i = 0; i < alternating.size(); ++i) {
    alternating[i] = i % 2 == 0 ? std::int8_t{127} : std::int8_t{-128};
  }
  const Int8Matrix mixed_b(window, 2, alternating);
  for (const auto kind : all_dataflows) {
    const auto dataflow = make_dataflow(kind);
    const auto squared = dataflow->simulate(all_min, all_min_b, {4, 4});
    EXPECT_EQ(squared.outputs(2, 1), 64 * 16384) << dataflow_code(kind);
    EXPECT_EQ(squared.outputs, testing::reference_gemm(all_min, all_min_b));
    EXPECT_EQ(dataflow->simulate(all_min, mixed_b, {3, 2}).outputs,
              testing::reference_gemm(all_min, mixed_b));
  }
}

TEST(CycleLevel, RejectsMismatchedOperands) {
  const auto dataflow = make_dataflow(DataflowKind::weight_stationary);
  EXPECT_THROW((void)dataflow->simulate(testing::random_matrix(2, 3, 1),
                                        testing::random_matrix(4, 2, 2), {2, 2}),
               TpuError);
  EXPECT_THROW((void)dataflow->simulate(testing::random_matrix(2, 3, 1),
                                        testing::random_matrix(3, 2, 2), {2, 0}),
               TpuError);
}

}  // namespace
}  // namespace imcosim::tpu
