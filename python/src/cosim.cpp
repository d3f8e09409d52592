// The TPU-IMAC co-simulation of a configuration, its main figures and (optionally) its files.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "imcosim/cosim/config.hpp"
#include "imcosim/cosim/cosimulation.hpp"
#include "imcosim/cosim/result_file.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::python {

namespace {

py::dict design_dict(const cosim::DesignFigures& design) {
  py::dict figures;
  figures["latency_s"] = design.latency_s;
  figures["energy_j"] = design.energy_j;
  figures["weight_bytes"] = design.weight_bytes;
  figures["area_m2"] = design.area_m2;
  py::list layers;
  for (const auto& layer : design.layers) {
    py::dict cost;
    cost["name"] = layer.name;
    cost["unit"] = layer.unit;
    cost["cycles"] = layer.cycles;
    cost["latency_s"] = layer.latency_s;
    cost["macs"] = layer.macs;
    cost["sram_bytes"] = layer.sram_bytes;
    cost["dram_bytes"] = layer.dram_bytes;
    cost["energy_j"] = layer.energy_j;
    layers.append(cost);
  }
  figures["layers"] = layers;
  return figures;
}

py::dict result_dict(const cosim::CosimResult& result) {
  py::dict figures;
  figures["model"] = result.model_name;
  figures["images"] = result.images;
  py::dict accuracies;
  for (const auto& figure : result.accuracies) {
    accuracies[py::str(figure.name)] = figure.record.accuracy;
  }
  figures["accuracy"] = accuracies;
  figures["tpu_only_mismatches"] = result.tpu_only_mismatches;
  figures["tpu_only"] = design_dict(result.tpu_only);
  figures["tpu_imac"] = design_dict(result.tpu_imac);
  figures["speedup"] = result.speedup();
  figures["weight_memory_reduction"] = result.weight_memory_reduction();
  figures["imac_latency_s"] = result.imac_latency_s;
  figures["imac_power_watt"] = result.imac_power_watt;
  figures["imac_static_power_watt"] = result.imac_static_power_watt;
  if (result.spice_check) {
    py::dict check;
    check["analysis"] = result.spice_check->analysis;
    check["images"] = result.spice_check->images;
    check["fast_volt"] = result.spice_check->fast_volt;
    check["spice_volt"] = result.spice_check->spice_volt;
    check["max_difference_volt"] = result.spice_check->max_difference_volt;
    check["equal_classes"] = result.spice_check->equal_classes;
    figures["spice_check"] = check;
  } else {
    figures["spice_check"] = py::none();
  }
  return figures;
}

py::dict run_cosim(const std::filesystem::path& config_file,
                   const std::vector<std::string>& overrides, int workers, double timeout_s,
                   const std::string& linear_solver, const std::filesystem::path& cache_directory,
                   const std::optional<std::filesystem::path>& output_directory) {
  std::optional<cosim::CosimResult> result;
  {
    const py::gil_scoped_release release;
    const auto config = cosim::read_cosim_config(config_file, overrides);
    spice::WorkerPool pool(worker_pool_options(workers, timeout_s, linear_solver));
    cosim::CosimResources resources;
    resources.pool = &pool;
    resources.neuron_cache_directory = cache_directory;
    result = cosim::run_cosimulation(config, resources);
    if (output_directory) {
      cosim::write_results(*output_directory, *result, config,
                           {cosim::canonical_text(config), spice::ngspice_version(pool),
                            "imcosim.run_cosim(" + config_file.string() + ")"});
    }
  }
  return result_dict(*result);
}

}  // namespace

void register_cosim(py::module_& module) {
  module.def("run_cosim", &run_cosim, py::arg("config_file"), py::arg("overrides"),
             py::arg("workers"), py::arg("timeout_s"), py::arg("linear_solver"),
             py::arg("cache_directory"), py::arg("output_directory").none(true));
}

}  // namespace imcosim::python
