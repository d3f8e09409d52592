// The systolic-array TPU: SCALE-Sim topologies timed on an architecture, int8 layers executed.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/functional.hpp"
#include "imcosim/tpu/report.hpp"
#include "imcosim/tpu/topology.hpp"
#include "imcosim/tpu/tpu_model.hpp"

namespace imcosim::python {

namespace {

template <typename Element>
using Array = py::array_t<Element, py::array::c_style | py::array::forcecast>;

py::dict timing_dict(const tpu::LayerTiming& timing) {
  py::dict figures;
  figures["spatial_rows"] = timing.dims.spatial_rows;
  figures["spatial_cols"] = timing.dims.spatial_cols;
  figures["temporal"] = timing.dims.temporal;
  figures["row_folds"] = timing.row_folds;
  figures["col_folds"] = timing.col_folds;
  figures["cycles_per_fold"] = timing.cycles_per_fold;
  figures["busy_cycles"] = timing.busy_cycles;
  figures["total_cycles"] = timing.total_cycles;
  figures["stall_cycles"] = timing.stall_cycles;
  figures["mac_operations"] = timing.mac_operations;
  figures["overall_util_percent"] = timing.overall_util_percent;
  figures["mapping_efficiency_percent"] = timing.mapping_efficiency_percent;
  figures["compute_util_percent"] = timing.compute_util_percent;
  figures["ifmap_sram_reads"] = timing.sram.ifmap_reads;
  figures["filter_sram_reads"] = timing.sram.filter_reads;
  figures["ofmap_sram_writes"] = timing.sram.ofmap_writes;
  return figures;
}

py::dict layer_dict(const tpu::LayerReport& report) {
  py::dict figures = timing_dict(report.timing);
  figures["name"] = report.layer.name;
  figures["ifmap_dram_reads"] = report.dram.ifmap_reads;
  figures["filter_dram_reads"] = report.dram.filter_reads;
  figures["ofmap_dram_writes"] = report.dram.ofmap_writes;
  return figures;
}

// Every layer of a topology on the array of a SCALE-Sim config, and the CLI's two reports.
py::dict simulate(const std::filesystem::path& config_file,
                  const std::filesystem::path& topology_file, bool gemm, double clock_mhz) {
  tpu::ArchitectureConfig config;
  tpu::Topology topology;
  std::vector<tpu::LayerReport> layers;
  std::string compute_report;
  std::string tpu_report;
  {
    const py::gil_scoped_release release;
    config = tpu::read_architecture_config(config_file);
    topology = tpu::read_topology(topology_file,
                                  gemm ? tpu::TopologyFormat::gemm : tpu::TopologyFormat::detect);
    layers = tpu::simulate_topology(topology, config);
    compute_report = tpu::format_compute_report(layers);
    tpu_report = tpu::format_tpu_report(layers, config, clock_mhz);
  }
  py::list layer_figures;
  for (const auto& layer : layers) {
    layer_figures.append(layer_dict(layer));
  }
  py::dict run;
  run["topology"] = topology.name;
  run["array_rows"] = config.array.rows;
  run["array_cols"] = config.array.cols;
  run["dataflow"] = std::string(tpu::dataflow_code(config.dataflow));
  run["layers"] = layer_figures;
  run["compute_report"] = compute_report;
  run["tpu_report"] = tpu_report;
  return run;
}

template <typename Element>
std::vector<Element> values_of(const Array<Element>& array) {
  return {array.data(), array.data() + array.size()};
}

template <typename Element>
Array<Element> array_of(const std::vector<Element>& values, std::vector<py::ssize_t> shape) {
  Array<Element> array(std::move(shape));
  std::copy(values.begin(), values.end(), array.mutable_data());
  return array;
}

tpu::TpuModel tpu_model(std::int64_t array_rows, std::int64_t array_cols,
                        const std::string& dataflow) {
  return {{array_rows, array_cols}, tpu::parse_dataflow(dataflow)};
}

// C = A B (int8 x int8, int32 accumulation) and its timing on the array; b_transposed is B^T.
py::tuple gemm_int8(const Array<std::int8_t>& a, const Array<std::int8_t>& b_transposed,
                    std::int64_t array_rows, std::int64_t array_cols, const std::string& dataflow) {
  const auto m = static_cast<std::size_t>(a.shape(0));
  const auto k = static_cast<std::size_t>(a.shape(1));
  const auto n = static_cast<std::size_t>(b_transposed.shape(0));
  const tpu::Int8Matrix a_matrix(m, k, values_of(a));
  const tpu::Int8Matrix b_matrix(n, k, values_of(b_transposed));
  tpu::Int32Matrix product;
  tpu::LayerTiming timing;
  {
    const py::gil_scoped_release release;
    const auto model = tpu_model(array_rows, array_cols, dataflow);
    timing = model.analyse(tpu::gemm_as_conv_layer("gemm", static_cast<std::int64_t>(m),
                                                   static_cast<std::int64_t>(n),
                                                   static_cast<std::int64_t>(k)));
    product = tpu::multiply_int8(a_matrix, b_matrix);
  }
  return py::make_tuple(
      array_of(product.values(), {static_cast<py::ssize_t>(m), static_cast<py::ssize_t>(n)}),
      timing_dict(timing));
}

// One convolution with its requantisation, as the TPU model runs it (tpu::TpuModel::run_conv).
py::tuple conv2d_int8(const Array<std::int8_t>& input_hwc, const Array<std::int8_t>& filters,
                      std::pair<std::size_t, std::size_t> stride,
                      std::pair<std::size_t, std::size_t> padding, std::size_t groups,
                      const std::optional<Array<std::int32_t>>& bias,
                      const tpu::Requantisation& requantisation, std::int64_t array_rows,
                      std::int64_t array_cols, const std::string& dataflow, bool cycle_level) {
  const auto extent = [](const auto& array, py::ssize_t axis) {
    return static_cast<std::size_t>(array.shape(axis));
  };
  const tpu::Int8FeatureMap input(extent(input_hwc, 0), extent(input_hwc, 1), extent(input_hwc, 2),
                                  values_of(input_hwc));
  tpu::ConvStage stage("conv",
                       tpu::FilterBank(extent(filters, 0), extent(filters, 1), extent(filters, 2),
                                       extent(filters, 3), values_of(filters)),
                       {stride.first, stride.second, padding.first, padding.second},
                       requantisation);
  stage.groups = groups;
  if (bias) {
    stage.bias = values_of(*bias);
  }
  tpu::ConvStageResult result;
  {
    const py::gil_scoped_release release;
    tpu::validate_requantisation(requantisation);
    result =
        tpu_model(array_rows, array_cols, dataflow)
            .run_conv(input, stage,
                      cycle_level ? tpu::ExecutionMode::cycle_level : tpu::ExecutionMode::fast);
  }
  const auto shape = [](const auto& map) {
    return std::vector<py::ssize_t>{static_cast<py::ssize_t>(map.height()),
                                    static_cast<py::ssize_t>(map.width()),
                                    static_cast<py::ssize_t>(map.channels())};
  };
  return py::make_tuple(array_of(result.accumulators.values(), shape(result.accumulators)),
                        array_of(result.activations.values(), shape(result.activations)),
                        timing_dict(result.timing));
}

}  // namespace

void register_tpu(py::module_& module) {
  py::class_<tpu::Requantisation>(module, "Requantisation")
      .def(py::init([](std::int32_t multiplier, int right_shift, std::int32_t zero_point,
                       std::int32_t clamp_low, std::int32_t clamp_high) {
             return tpu::Requantisation{multiplier, right_shift, zero_point, clamp_low, clamp_high};
           }),
           py::arg("multiplier"), py::arg("right_shift"), py::arg("zero_point"),
           py::arg("clamp_low"), py::arg("clamp_high"))
      .def_static("from_scale", &tpu::Requantisation::from_scale, py::arg("scale"),
                  py::arg("zero_point"))
      .def_readonly("multiplier", &tpu::Requantisation::multiplier)
      .def_readonly("right_shift", &tpu::Requantisation::right_shift)
      .def_readonly("zero_point", &tpu::Requantisation::zero_point)
      .def_readonly("clamp_low", &tpu::Requantisation::clamp_low)
      .def_readonly("clamp_high", &tpu::Requantisation::clamp_high);

  module.def("simulate_topology", &simulate, py::arg("config_file"), py::arg("topology_file"),
             py::arg("gemm"), py::arg("clock_mhz"));
  module.def("gemm_int8", &gemm_int8, py::arg("a"), py::arg("b_transposed"), py::arg("array_rows"),
             py::arg("array_cols"), py::arg("dataflow"));
  module.def("conv2d_int8", &conv2d_int8, py::arg("input_hwc"), py::arg("filters"),
             py::arg("stride"), py::arg("padding"), py::arg("groups"), py::arg("bias").none(true),
             py::arg("requantisation"), py::arg("array_rows"), py::arg("array_cols"),
             py::arg("dataflow"), py::arg("cycle_level"));
}

}  // namespace imcosim::python
