#pragma once

#include "imcosim/tpu/dataflow.hpp"

namespace imcosim::tpu::detail {

// Register-level model shared by the weight- and input-stationary dataflows:
// Y (T x Sc) = X (T x Sr) * S (Sr x Sc). Per fold, S's tile is first shifted down into the PEs
// (R cycles); then row t of X enters array row i at cycle R + t + i and moves right, while the
// partial sum for (t, column j) moves down and leaves the bottom row at 2R - 1 + t + j, where it
// is added into Y (the ofmap buffer accumulates the row folds). `outputs` is Y.
CycleLevelResult simulate_stationary_array(const Int8Matrix& streamed, const Int8Matrix& stationary,
                                           ArrayShape array, std::int64_t cycles_per_fold);

Int8Matrix transpose(const Int8Matrix& matrix);

}  // namespace imcosim::tpu::detail
