// The crossbar problem file: /conductance, /inputs and the four wire resistances on "/".
#include <string>
#include <string_view>
#include <utility>

#include "imcosim/circuit/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/io/error.hpp"
#include "imcosim/io/hdf5.hpp"

namespace imcosim::io {

namespace {

constexpr std::string_view conductance_path = "/conductance";
constexpr std::string_view inputs_path = "/inputs";
constexpr std::string_view conductance_expected =
    "float64 [M][N], device conductances in siemens, finite and > 0";
constexpr std::string_view inputs_expected =
    "float64 [K][M], one input vector of M voltages per row, finite";

// The circuit stage validates values against their declarations; its messages already name
// the place they were given, so they only change type to say the fault lies in a file.
template <typename Build>
auto rethrowing_as_io_error(Build build) {
  try {
    return build();
  } catch (const circuit::CircuitError& error) {
    throw IoError(ErrorKind::bad_input, error.what());
  }
}

hdf5::Shape shape_of(const Eigen::MatrixXd& matrix) {
  return {static_cast<std::uint64_t>(matrix.rows()), static_cast<std::uint64_t>(matrix.cols())};
}

// The non-empty rank-2 dataset at `path`, not yet read.
hdf5::DataSet required_matrix(const hdf5::File& file, std::string_view path,
                              std::string_view expected) {
  const std::string where = file.file_name() + ":" + std::string(path);
  switch (file.object_kind(path)) {
    case hdf5::ObjectKind::dataset:
      break;
    case hdf5::ObjectKind::missing:
      throw IoError(ErrorKind::bad_input,
                    where + ": dataset is missing; expected " + std::string(expected));
    case hdf5::ObjectKind::group:
    case hdf5::ObjectKind::other:
      throw IoError(ErrorKind::bad_input,
                    where + ": is not a dataset; expected " + std::string(expected));
  }
  hdf5::DataSet dataset = file.open_dataset(path);
  const hdf5::Shape shape = dataset.shape();
  if (shape.size() != 2) {
    throw IoError(ErrorKind::bad_input, where + ": has rank " + std::to_string(shape.size()) +
                                            ", shape " + hdf5::shape_text(shape) + "; expected " +
                                            std::string(expected));
  }
  if (shape[0] == 0 || shape[1] == 0) {
    throw IoError(ErrorKind::bad_input, where + ": is empty, shape " + hdf5::shape_text(shape) +
                                            "; expected " + std::string(expected) +
                                            " with at least one element");
  }
  return dataset;
}

double read_wire_resistance(const hdf5::File& file, const circuit::ParameterSpec& spec) {
  const std::string where = file.where() + ": attribute " + std::string(spec.name);
  if (!file.has_attribute(spec.name)) {
    throw IoError(ErrorKind::bad_input, where + " is missing; expected a scalar float64 " +
                                            spec.describe() + " (there is no default)");
  }
  const double value = file.read_double_attribute(spec.name);
  rethrowing_as_io_error([&] { spec.check(value, where); });
  return value;
}

}  // namespace

CrossbarProblem read_crossbar_problem(const std::filesystem::path& path) {
  const hdf5::File file = hdf5::File::open_read_only(path);
  const std::string file_name = file.file_name();

  // 1. Wire resistances: every one declared, none defaulted.
  circuit::WireResistances wires;
  for (const auto& parameter : circuit::wire_parameters) {
    wires.*parameter.field = read_wire_resistance(file, parameter.spec);
  }

  // 2. The tile: its size before anything is read, then every conductance (its constructor checks
  //    them against their declaration).
  const hdf5::DataSet conductance = required_matrix(file, conductance_path, conductance_expected);
  rethrowing_as_io_error([&] {
    const hdf5::Shape shape = conductance.shape();
    circuit::check_tile_size(shape[0], shape[1], conductance.where());
  });
  Eigen::MatrixXd conductance_siemens = conductance.read_matrix();
  circuit::CrossbarTile tile = rethrowing_as_io_error([&] {
    return circuit::CrossbarTile(std::move(conductance_siemens), wires,
                                 file_name + ":" + std::string(conductance_path));
  });

  // 3. Inputs: one finite voltage per tile row in every vector.
  Eigen::MatrixXd inputs_volt = required_matrix(file, inputs_path, inputs_expected).read_matrix();
  if (inputs_volt.cols() != tile.rows()) {
    throw IoError(ErrorKind::bad_input,
                  file_name + ":" + std::string(inputs_path) + ": has shape " +
                      hdf5::shape_text(shape_of(inputs_volt)) + " but " +
                      std::string(conductance_path) + " has shape " +
                      hdf5::shape_text(shape_of(tile.conductance_siemens())) + "; expected [K][" +
                      std::to_string(tile.rows()) + "], one voltage per tile row");
  }
  rethrowing_as_io_error([&] {
    circuit::check_inputs(tile, inputs_volt, file_name + ":" + std::string(inputs_path));
  });

  return {std::move(tile), std::move(inputs_volt)};
}

void write_crossbar_problem(const std::filesystem::path& path, const CrossbarProblem& problem) {
  rethrowing_as_io_error([&] {
    circuit::check_inputs(problem.tile, problem.inputs_volt,
                          path.string() + ":" + std::string(inputs_path));
  });
  AtomicFile output(path);
  {
    hdf5::File file = hdf5::File::create(output.temporary_path());
    file.write_matrix(conductance_path, problem.tile.conductance_siemens())
        .write_string_attribute("unit", circuit::conductance_parameter.unit);
    file.write_matrix(inputs_path, problem.inputs_volt)
        .write_string_attribute("unit", circuit::input_voltage_parameter.unit);
    for (const auto& parameter : circuit::wire_parameters) {
      file.write_double_attribute(parameter.spec.name, problem.tile.wires().*parameter.field);
    }
    file.close();
  }
  output.commit();
}

}  // namespace imcosim::io
