#include "stationary_array.hpp"

#include <algorithm>
#include <vector>

namespace imcosim::tpu::detail {

namespace {

struct StreamedRegister {
  std::int8_t value = 0;
  std::size_t time_index = 0;  // which row t of the streamed operand the value comes from
  bool valid = false;
};

struct PartialSum {
  std::int32_t value = 0;
  std::size_t time_index = 0;
  bool valid = false;
};

struct StationaryPe {
  std::int8_t held = 0;  // the stationary operand
  bool held_valid = false;
  StreamedRegister streamed;  // moves right one PE per cycle
  PartialSum sum;             // moves down one PE per cycle
};

}  // namespace

Int8Matrix transpose(const Int8Matrix& matrix) {
  Int8Matrix transposed(matrix.cols(), matrix.rows());
  for (std::size_t r = 0; r < matrix.rows(); ++r) {
    for (std::size_t c = 0; c < matrix.cols(); ++c) {
      transposed(c, r) = matrix(r, c);
    }
  }
  return transposed;
}

CycleLevelResult simulate_stationary_array(const Int8Matrix& streamed, const Int8Matrix& stationary,
                                           ArrayShape array, std::int64_t cycles_per_fold) {
  const auto rows = static_cast<std::size_t>(array.rows);
  const auto cols = static_cast<std::size_t>(array.cols);
  const std::size_t time_steps = streamed.rows();
  const std::size_t spatial_rows = stationary.rows();
  const std::size_t spatial_cols = stationary.cols();
  const auto fold_length = static_cast<std::size_t>(cycles_per_fold);

  CycleLevelResult result{Int32Matrix(time_steps, spatial_cols), 0, 0, 0};
  std::vector<StationaryPe> pes(rows * cols);
  for (std::size_t col_start = 0; col_start < spatial_cols; col_start += cols) {
    for (std::size_t row_start = 0; row_start < spatial_rows; row_start += rows) {
      const std::size_t rows_used = std::min(rows, spatial_rows - row_start);
      const std::size_t cols_used = std::min(cols, spatial_cols - col_start);
      std::fill(pes.begin(), pes.end(), StationaryPe{});
      for (std::size_t cycle = 0; cycle < fold_length; ++cycle) {
        for (std::size_t i = rows; i-- > 0;) {
          for (std::size_t j = cols; j-- > 0;) {
            auto& pe = pes[i * cols + j];
            if (cycle < rows) {
              // Load phase: the tile enters at the top, last row first, and shifts down.
              if (i == 0) {
                const std::size_t tile_row = rows - 1 - cycle;
                pe.held_valid = tile_row < rows_used && j < cols_used;
                pe.held = pe.held_valid ? stationary(row_start + tile_row, col_start + j) : 0;
              } else {
                const auto& above = pes[(i - 1) * cols + j];
                pe.held = above.held;
                pe.held_valid = above.held_valid;
              }
              continue;
            }
            if (j == 0) {
              // Row i of the fold is skewed by i cycles at the left edge.
              const std::size_t stream_cycle = cycle - rows;
              const bool feeding =
                  i < rows_used && stream_cycle >= i && stream_cycle - i < time_steps;
              pe.streamed = feeding ? StreamedRegister{streamed(stream_cycle - i, row_start + i),
                                                       stream_cycle - i, true}
                                    : StreamedRegister{};
            } else {
              pe.streamed = pes[i * cols + j - 1].streamed;
            }
            if (i == 0) {
              const bool starts = pe.streamed.valid && j < cols_used;
              pe.sum = starts ? PartialSum{0, pe.streamed.time_index, true} : PartialSum{};
            } else {
              pe.sum = pes[(i - 1) * cols + j].sum;
            }
            if (pe.sum.valid && pe.streamed.valid && pe.held_valid) {
              pe.sum.value += std::int32_t{pe.streamed.value} * std::int32_t{pe.held};
              ++result.mac_operations;
            }
            if (i == rows - 1 && pe.sum.valid) {
              result.outputs(pe.sum.time_index, col_start + j) += pe.sum.value;
              result.last_output_cycle = result.cycles_stepped + static_cast<std::int64_t>(cycle);
            }
          }
        }
      }
      result.cycles_stepped += cycles_per_fold;
    }
  }
  return result;
}

}  // namespace imcosim::tpu::detail
