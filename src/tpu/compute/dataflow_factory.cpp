#include <string>

#include "imcosim/tpu/dataflow.hpp"
#include "imcosim/tpu/error.hpp"
#include "input_stationary.hpp"
#include "output_stationary.hpp"
#include "weight_stationary.hpp"

namespace imcosim::tpu {

SramAccessCounts& SramAccessCounts::operator+=(const SramAccessCounts& other) noexcept {
  ifmap_reads += other.ifmap_reads;
  filter_reads += other.filter_reads;
  ofmap_writes += other.ofmap_writes;
  return *this;
}

void validate_array_shape(ArrayShape array) {
  if (array.rows < 1 || array.cols < 1) {
    throw TpuError("the systolic array needs at least 1 x 1 processing elements, got " +
                   std::to_string(array.rows) + " x " + std::to_string(array.cols));
  }
  if (array.rows > max_array_extent || array.cols > max_array_extent) {
    throw TpuError("the systolic array of " + std::to_string(array.rows) + " x " +
                   std::to_string(array.cols) + " processing elements exceeds the model's " +
                   std::to_string(max_array_extent) + " per side");
  }
}

std::unique_ptr<const Dataflow> make_dataflow(DataflowKind kind) {
  switch (kind) {
    case DataflowKind::output_stationary:
      return std::make_unique<OutputStationary>();
    case DataflowKind::weight_stationary:
      return std::make_unique<WeightStationary>();
    case DataflowKind::input_stationary:
      return std::make_unique<InputStationary>();
  }
  throw TpuError("unknown dataflow", ErrorKind::runtime);
}

}  // namespace imcosim::tpu
