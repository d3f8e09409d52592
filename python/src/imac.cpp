// IMAC networks: built from a model file or weight arrays, evaluated by the fast path or ngspice.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/error.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/imac/model.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/imac/neuron_table.hpp"
#include "imcosim/imac/parameters.hpp"
#include "imcosim/imac/spice_evaluation.hpp"
#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::python {

namespace {

imac::WeightEncoding parse_encoding(const std::string& name) {
  for (const auto encoding : {imac::WeightEncoding::binary, imac::WeightEncoding::ternary,
                              imac::WeightEncoding::k_level}) {
    if (name == imac::encoding_name(encoding)) {
      return encoding;
    }
  }
  throw imac::ImacError(ErrorKind::bad_input,
                        "encoding must be binary, ternary or k-level, not '" + name + "'");
}

// The circuit of a network: a configuration file, INI text (from a dict of keys), or the
// reference design.
imac::ImacParameters circuit_parameters(const std::optional<std::filesystem::path>& config_file,
                                        const std::optional<std::string>& config_text) {
  if (config_file) {
    return imac::read_parameters(*config_file);
  }
  if (config_text) {
    std::istringstream stream(*config_text);
    return imac::parse_parameters(stream, "circuit");
  }
  return {};
}

std::string circuit_origin(const std::optional<std::filesystem::path>& config_file,
                           const std::optional<std::string>& config_text) {
  return config_file   ? config_file->string()
         : config_text ? "circuit"
                       : "the default IMAC parameters";
}

imac::ImacNetwork network_from_file(const std::filesystem::path& model_file,
                                    const std::optional<std::filesystem::path>& config_file,
                                    const std::optional<std::string>& config_text) {
  return {imac::read_model(model_file), circuit_parameters(config_file, config_text),
          circuit_origin(config_file, config_text)};
}

imac::ImacNetwork network_from_arrays(std::vector<Eigen::MatrixXd> weights,
                                      std::vector<Eigen::VectorXd> biases,
                                      const std::string& encoding, int levels,
                                      const std::optional<std::filesystem::path>& config_file,
                                      const std::optional<std::string>& config_text) {
  if (weights.size() != biases.size()) {
    throw imac::ImacError(ErrorKind::bad_input,
                          std::to_string(weights.size()) + " weight matrices but " +
                              std::to_string(biases.size()) + " bias vectors");
  }
  std::vector<imac::DenseLayer> layers;
  for (std::size_t l = 0; l < weights.size(); ++l) {
    layers.push_back({std::move(weights[l]), std::move(biases[l])});
  }
  const imac::ImacModel model(std::move(layers), parse_encoding(encoding), levels, "weights");
  return {model, circuit_parameters(config_file, config_text),
          circuit_origin(config_file, config_text)};
}

py::dict evaluation_dict(imac::ImacEvaluation evaluation) {
  py::dict result;
  result["outputs_volt"] = std::move(evaluation.outputs_volt);
  result["predicted_class"] = std::move(evaluation.predicted_class);
  result["power_watt"] = std::move(evaluation.power_watt);
  result["settled_power_watt"] = std::move(evaluation.settled_power_watt);
  result["latency_s"] = std::move(evaluation.latency_s);
  result["layer_outputs_volt"] = std::move(evaluation.layer_outputs_volt);
  return result;
}

imac::LayerOutputs layer_outputs(bool every_layer) {
  return every_layer ? imac::LayerOutputs::every_layer : imac::LayerOutputs::network_outputs_only;
}

// The fast path: the neuron characterised by ngspice (one DC sweep in a forked worker, or the
// cached table), then the network's set-up.
imac::FastEvaluator fast_evaluator(const imac::ImacNetwork& network,
                                   const std::filesystem::path& cache_directory) {
  spice::WorkerPool pool({});
  const auto& parameters = network.parameters();
  auto table = imac::characterise_neuron(pool, imac::neuron_circuit(parameters),
                                         imac::neuron_grid_for(parameters), cache_directory);
  return {network, std::move(table)};
}

struct SpiceRun {
  int workers = 1;
  double timeout_s = 600.0;
  std::string linear_solver;
  std::string analysis;
  std::string tiles;
  Eigen::Index samples_per_run = 1;
  bool every_layer = false;
};

imac::ImacEvaluation evaluate_with_spice(const imac::ImacNetwork& network,
                                         const Eigen::MatrixXd& inputs_volt, const SpiceRun& run,
                                         const imac::FastEvaluator* start) {
  imac::check_network_inputs(network, inputs_volt, "inputs_volt");
  if (run.tiles != "wires" && run.tiles != "ports") {
    throw imac::ImacError(ErrorKind::bad_input,
                          "tiles must be wires or ports, not '" + run.tiles + "'");
  }
  imac::SpiceEvaluationOptions options;
  options.analysis = imac::parse_imac_analysis(run.analysis);
  options.samples_per_run = run.samples_per_run;
  options.tiles = run.tiles == "ports" ? imac::TileForm::port_admittance : imac::TileForm::wires;
  options.layer_outputs = layer_outputs(run.every_layer);
  if (start != nullptr) {
    options.starting_points = imac::fast_starting_points(*start, inputs_volt, options.analysis);
  }
  spice::WorkerPool pool(worker_pool_options(run.workers, run.timeout_s, run.linear_solver));
  return imac::evaluate_with_spice(pool, network, inputs_volt, options);
}

}  // namespace

spice::WorkerPoolOptions worker_pool_options(int workers, double timeout_s,
                                             const std::string& linear_solver) {
  spice::WorkerPoolOptions options;
  options.worker_count = workers;
  options.job_timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000.0));
  options.linear_solver = spice::parse_linear_solver(linear_solver);
  return options;
}

void register_imac(py::module_& module) {
  py::class_<imac::ImacNetwork>(module, "ImacNetwork")
      .def_static("from_file", &network_from_file, py::arg("model_file"), py::arg("config_file"),
                  py::arg("config_text"), py::call_guard<py::gil_scoped_release>())
      .def_static("from_arrays", &network_from_arrays, py::arg("weights"), py::arg("biases"),
                  py::arg("encoding"), py::arg("levels"), py::arg("config_file"),
                  py::arg("config_text"), py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("input_count", &imac::ImacNetwork::input_count)
      .def_property_readonly("output_count", &imac::ImacNetwork::output_count)
      .def_property_readonly("tile_count", &imac::ImacNetwork::tile_count)
      .def_property_readonly("crossbar_area_m2", &imac::ImacNetwork::crossbar_area_m2)
      .def_property_readonly(
          "encoding",
          [](const imac::ImacNetwork& network) { return imac::encoding_name(network.encoding()); })
      .def_property_readonly("layer_sizes",
                             [](const imac::ImacNetwork& network) {
                               std::vector<Eigen::Index> sizes{network.input_count()};
                               for (const auto& layer : network.layers()) {
                                 sizes.push_back(layer.neuron_count);
                               }
                               return sizes;
                             })
      .def_property_readonly("circuit_text", [](const imac::ImacNetwork& network) {
        return imac::parameters_text(network.parameters());
      });

  py::class_<imac::FastEvaluator>(module, "FastEvaluator")
      .def(py::init([](const imac::ImacNetwork& network,
                       const std::filesystem::path& cache_directory) {
             const py::gil_scoped_release release;
             return std::make_unique<imac::FastEvaluator>(fast_evaluator(network, cache_directory));
           }),
           py::arg("network"), py::arg("cache_directory"));

  // With the network, so that its inputs are checked (and named) as the spice path's are.
  module.def(
      "evaluate_fast",
      [](const imac::ImacNetwork& network, const imac::FastEvaluator& evaluator,
         const Eigen::MatrixXd& inputs_volt, bool every_layer) {
        imac::ImacEvaluation evaluation;
        {
          const py::gil_scoped_release release;
          imac::check_network_inputs(network, inputs_volt, "inputs_volt");
          evaluation = evaluator.evaluate(inputs_volt, layer_outputs(every_layer));
        }
        return evaluation_dict(std::move(evaluation));
      },
      py::arg("network"), py::arg("evaluator"), py::arg("inputs_volt"), py::arg("every_layer"));

  module.def(
      "evaluate_with_spice",
      [](const imac::ImacNetwork& network, const Eigen::MatrixXd& inputs_volt,
         const imac::FastEvaluator* start, int workers, double timeout_s, std::string linear_solver,
         std::string analysis, std::string tiles, Eigen::Index samples_per_run, bool every_layer) {
        const SpiceRun run{workers,
                           timeout_s,
                           std::move(linear_solver),
                           std::move(analysis),
                           std::move(tiles),
                           samples_per_run,
                           every_layer};
        imac::ImacEvaluation evaluation;
        {
          const py::gil_scoped_release release;
          evaluation = evaluate_with_spice(network, inputs_volt, run, start);
        }
        return evaluation_dict(std::move(evaluation));
      },
      py::arg("network"), py::arg("inputs_volt"), py::arg("start").none(true), py::arg("workers"),
      py::arg("timeout_s"), py::arg("linear_solver"), py::arg("analysis"), py::arg("tiles"),
      py::arg("samples_per_run"), py::arg("every_layer"));
}

}  // namespace imcosim::python
