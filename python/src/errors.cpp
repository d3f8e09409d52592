#include <exception>

#include "bindings.hpp"
#include "imcosim/error.hpp"

namespace imcosim::python {

namespace {

// The exception types live as long as the process: the translator, a plain function, may run
// for any call into the module, and an extension module is never unloaded.
PyObject* error_type = nullptr;
PyObject* input_error_type = nullptr;

PyObject* new_exception_type(const char* name, const char* doc, py::handle bases) {
  PyObject* type = PyErr_NewExceptionWithDoc(name, doc, bases.ptr(), nullptr);
  if (type == nullptr) {
    throw py::error_already_set();
  }
  return type;
}

void translate(std::exception_ptr thrown) {
  try {
    if (thrown) {
      std::rethrow_exception(thrown);
    }
  } catch (const Error& error) {
    PyErr_SetString(error.kind() == ErrorKind::bad_input ? input_error_type : error_type,
                    error.what());
  }
}

}  // namespace

void register_errors(py::module_& module) {
  error_type = new_exception_type(
      "imcosim.Error",
      "A failure reported by imcosim; the message is the library's (what the CLI prints).",
      PyExc_Exception);
  // Also a ValueError, so that code catching ValueError for bad arguments catches these too.
  input_error_type = new_exception_type(
      "imcosim.InputError",
      "Bad input: a wrong shape, type or value of an argument, or a malformed input file. The "
      "message names the argument or the file.",
      py::make_tuple(py::handle(error_type), py::handle(PyExc_ValueError)));
  module.attr("Error") = py::handle(error_type);
  module.attr("InputError") = py::handle(input_error_type);
  py::register_exception_translator(&translate);
}

}  // namespace imcosim::python
