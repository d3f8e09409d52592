// Crossbar tiles: a prepared solver per tile, the transfer matrix, node voltages.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <utility>

#include "bindings.hpp"
#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/solver/tile_solver.hpp"
#include "imcosim/solver/transfer_solver.hpp"

namespace imcosim::python {

namespace {

// The tile's values are checked by the library; a wire resistance is named by its Python
// argument (r_row_ohm, ...), the conductances by theirs.
circuit::CrossbarTile make_tile(Eigen::MatrixXd conductance_siemens,
                                const circuit::WireResistances& wires) {
  for (const auto& parameter : circuit::wire_parameters) {
    parameter.spec.check(wires.*parameter.field, std::string(parameter.spec.name) + "_ohm");
  }
  return {std::move(conductance_siemens), wires, "conductance_siemens"};
}

// One tile and its solver, prepared once (factorised, extracted) for many solves.
class Tile {
 public:
  Tile(Eigen::MatrixXd conductance_siemens, const circuit::WireResistances& wires,
       const std::string& method, Eigen::Index expected_samples, Eigen::Index max_iterations)
      : tile_(make_tile(std::move(conductance_siemens), wires)) {
    solver::IterativeOptions options;
    options.max_iterations = max_iterations;
    solver_ =
        solver::make_tile_solver(solver::parse_method(method), tile_, expected_samples, options);
  }

  [[nodiscard]] Eigen::MatrixXd solve(const Eigen::MatrixXd& inputs_volt) const {
    circuit::check_inputs(tile_, inputs_volt, "inputs_volt");
    return solver_->solve(inputs_volt).currents_ampere;
  }

  [[nodiscard]] py::tuple node_voltages(const Eigen::VectorXd& input_volt) const {
    circuit::check_inputs(tile_, input_volt.transpose(), "input_volt");
    solver::TileNodeVoltages voltages;
    double drop_volt = 0.0;
    {
      const py::gil_scoped_release release;
      voltages = solver_->node_voltages(input_volt);
      drop_volt = solver::ir_drop_volt(input_volt, voltages);
    }
    return py::make_tuple(std::move(voltages.row_volt), std::move(voltages.column_volt), drop_volt);
  }

  [[nodiscard]] std::string method() const {
    return std::string(solver::method_name(solver_->method()));
  }
  [[nodiscard]] double tolerance_relative() const { return solver_->tolerance_relative(); }
  [[nodiscard]] const circuit::CrossbarTile& tile() const { return tile_; }

 private:
  circuit::CrossbarTile tile_;
  std::unique_ptr<solver::TileSolver> solver_;
};

}  // namespace

void register_solvers(py::module_& module) {
  py::class_<circuit::WireResistances>(module, "WireResistances")
      .def(
          py::init([](double r_row_ohm, double r_col_ohm, double r_source_ohm, double r_sense_ohm) {
            return circuit::WireResistances{r_row_ohm, r_col_ohm, r_source_ohm, r_sense_ohm};
          }),
          py::arg("r_row_ohm"), py::arg("r_col_ohm"), py::arg("r_source_ohm"),
          py::arg("r_sense_ohm"));

  py::class_<Tile>(module, "Tile")
      .def(py::init([](Eigen::MatrixXd conductance_siemens, const circuit::WireResistances& wires,
                       const std::string& method, Eigen::Index expected_samples,
                       Eigen::Index max_iterations) {
             const py::gil_scoped_release release;
             return std::make_unique<Tile>(std::move(conductance_siemens), wires, method,
                                           expected_samples, max_iterations);
           }),
           py::arg("conductance_siemens"), py::arg("wires"), py::arg("method"),
           py::arg("expected_samples"), py::arg("max_iterations"))
      .def("solve", &Tile::solve, py::arg("inputs_volt"), py::call_guard<py::gil_scoped_release>())
      .def("node_voltages", &Tile::node_voltages, py::arg("input_volt"))
      .def_property_readonly("method", &Tile::method)
      .def_property_readonly("tolerance_relative", &Tile::tolerance_relative)
      .def_property_readonly("rows", [](const Tile& tile) { return tile.tile().rows(); })
      .def_property_readonly("cols", [](const Tile& tile) { return tile.tile().cols(); });

  module.def(
      "transfer_matrix",
      [](Eigen::MatrixXd conductance_siemens, const circuit::WireResistances& wires) {
        const auto tile = make_tile(std::move(conductance_siemens), wires);
        return solver::TransferSolver(circuit::TileNetwork(tile)).transfer_siemens();
      },
      py::arg("conductance_siemens"), py::arg("wires"), py::call_guard<py::gil_scoped_release>());
}

}  // namespace imcosim::python
