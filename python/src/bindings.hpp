#pragma once

// The areas of imcosim._core, each registered by its own source file. The bindings only convert
// arguments and results and call the library's public API; argument checks with messages that
// name the Python argument live in the package's Python modules.
#include <pybind11/pybind11.h>

#include <string>

#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::python {

namespace py = pybind11;

// imcosim.Error and imcosim.InputError, and the translation of the library's exceptions to them.
void register_errors(py::module_& module);
void register_solvers(py::module_& module);
void register_imac(py::module_& module);
void register_tpu(py::module_& module);
void register_cosim(py::module_& module);

// The ngspice worker pool of one evaluation or co-simulation: `workers` forked processes, each
// job limited to `timeout_s`, decks solved by `linear_solver` ("auto", "klu", "sparse").
[[nodiscard]] spice::WorkerPoolOptions worker_pool_options(int workers, double timeout_s,
                                                           const std::string& linear_solver);

}  // namespace imcosim::python
