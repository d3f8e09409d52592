#pragma once

#include <cstdint>
#include <memory>

#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/tensor.hpp"

namespace imcosim::tpu {

// Largest window whose int32 sum of int8 x int8 products cannot overflow:
// 131071 * (-128 * -128) < 2^31.
inline constexpr std::int64_t max_exact_window = 131071;

// A convolution lowered to a GEMM: ofmap pixels x window times window x filters.
struct GemmShape {
  std::int64_t ofmap_pixels = 0;  // M
  std::int64_t filters = 0;       // N
  std::int64_t window = 0;        // K
};

// Where the GEMM dimensions land on the array: Sr along its rows, Sc along its columns, and T
// streamed over time. Folds = ceil(Sr / R) * ceil(Sc / C).
struct SpatioTemporalDims {
  std::int64_t spatial_rows = 0;
  std::int64_t spatial_cols = 0;
  std::int64_t temporal = 0;
};

// How much of the array one fold occupies.
struct FoldExtent {
  std::int64_t rows_used = 0;
  std::int64_t cols_used = 0;
};

// Element accesses of the three SRAM buffers (one element is one word of one byte).
struct SramAccessCounts {
  std::int64_t ifmap_reads = 0;
  std::int64_t filter_reads = 0;
  std::int64_t ofmap_writes = 0;

  SramAccessCounts& operator+=(const SramAccessCounts& other) noexcept;
  friend bool operator==(const SramAccessCounts&, const SramAccessCounts&) = default;
};

// What the cycle-level array produced. Cycles count from 0 at the first cycle of the first fold.
struct CycleLevelResult {
  Int32Matrix outputs;  // M x N, pixel-major: the int32 accumulators the array wrote out
  std::int64_t cycles_stepped = 0;     // clock cycles the array was advanced
  std::int64_t last_output_cycle = 0;  // cycle on which the final output left the array
  std::int64_t mac_operations = 0;     // multiply-accumulates the PEs actually performed
};

// One dataflow: how a GEMM maps onto the array, how long a fold takes, what a fold reads and
// writes, and a register-level simulation that moves operands through the PEs cycle by cycle.
class Dataflow {
 public:
  Dataflow() = default;
  Dataflow(const Dataflow&) = delete;
  Dataflow& operator=(const Dataflow&) = delete;
  virtual ~Dataflow() = default;

  [[nodiscard]] virtual DataflowKind kind() const noexcept = 0;
  [[nodiscard]] virtual SpatioTemporalDims map(const GemmShape& gemm) const noexcept = 0;

  // Cycles the array is busy with one fold, fill and drain skew included (SCALE-Sim's demand
  // matrix rows per fold).
  [[nodiscard]] virtual std::int64_t fold_cycles(ArrayShape array,
                                                 const SpatioTemporalDims& dims) const noexcept = 0;

  // The cycle count SCALE-Sim divides by when it computes one fold's compute utilisation.
  [[nodiscard]] virtual std::int64_t utilisation_cycles(
      ArrayShape array, const SpatioTemporalDims& dims) const noexcept = 0;

  [[nodiscard]] virtual SramAccessCounts fold_sram_accesses(
      FoldExtent fold, const SpatioTemporalDims& dims) const noexcept = 0;

  // Runs C = A * B on the array: `ifmap_operand` is A (M x K, one row per ofmap pixel) and
  // `filter_operand` is B (K x N, one column per filter). Exact in int32 as long as
  // K <= max_exact_window; throws TpuError otherwise.
  [[nodiscard]] virtual CycleLevelResult simulate(const Int8Matrix& ifmap_operand,
                                                  const Int8Matrix& filter_operand,
                                                  ArrayShape array) const = 0;
};

// The only place a dataflow is chosen.
std::unique_ptr<const Dataflow> make_dataflow(DataflowKind kind);

// The largest array side the model takes: PE counts and their products with cycle counts then
// stay far inside the 64-bit counters (2^20 x 2^20 PEs; real arrays have at most a few thousand).
inline constexpr std::int64_t max_array_extent = std::int64_t{1} << 20;

// Throws TpuError unless rows and cols are both from 1 to max_array_extent.
void validate_array_shape(ArrayShape array);

}  // namespace imcosim::tpu
