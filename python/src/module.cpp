#include "bindings.hpp"

PYBIND11_MODULE(_core, module) {
  module.doc() =
      "The compiled part of imcosim; use it through the package (import imcosim), whose modules "
      "check arguments and document the API.";
  imcosim::python::register_errors(module);
  imcosim::python::register_solvers(module);
  imcosim::python::register_imac(module);
  imcosim::python::register_tpu(module);
  imcosim::python::register_cosim(module);
}
