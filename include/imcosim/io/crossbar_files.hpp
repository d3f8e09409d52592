#pragma once

// The crossbar problem and result files (HDF5), as docs/file-formats.md specifies them.

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/circuit/crossbar_tile.hpp"

namespace imcosim::io {

struct CrossbarProblem {
  circuit::CrossbarTile tile;
  Eigen::MatrixXd inputs_volt;  // K x M, one input vector per row
};

// Reads and validates a problem file: /conductance float64 [M][N], /inputs float64 [K][M] (any
// integer or floating-point type converts), and the scalar attributes r_row, r_col, r_source,
// r_sense on "/". Every defect throws IoError (bad_input) naming the file, the dataset or
// attribute, and what was expected. A missing attribute is an error, never a silent default.
[[nodiscard]] CrossbarProblem read_crossbar_problem(const std::filesystem::path& path);
// Writes atomically (see AtomicFile): `path` is either the old file or the complete new one.
void write_crossbar_problem(const std::filesystem::path& path, const CrossbarProblem& problem);

// One IR-drop map beyond the single one of CrossbarResult::row_node_voltages_volt: the group
// /node_voltages/<name> (docs/file-formats.md).
struct NodeVoltageMap {
  enum class Kind {
    sample,  // one input vector's maps: group "sample_<k>"
    worst,   // the maps of the input vector with the largest IR drop: group "worst"
    mean,    // the element-wise mean of every input vector's maps: group "mean"
  };
  Kind kind = Kind::sample;
  std::int64_t sample = -1;     // sample, worst: the input vector (row of /currents); mean: -1
  double ir_drop_volt = 0.0;    // sample, worst: that vector's IR drop (solver::ir_drop_volt)
  Eigen::MatrixXd row_volt;     // M x N
  Eigen::MatrixXd column_volt;  // M x N
};

// "sample_<k>", "worst" or "mean".
[[nodiscard]] std::string node_voltage_map_name(const NodeVoltageMap& map);

struct CrossbarResult {
  Eigen::MatrixXd currents_ampere;                        // K x N -> /currents float64 [K][N]
  std::string method;                                     // "direct", "ideal", "ngspice", ...
  double tolerance_relative = 0.0;                        // the method's stated tolerance
  std::vector<std::pair<std::string, double>> timings_s;  // attributes "time_<name>_s"
  std::vector<std::pair<std::string, std::string>> text_attributes;  // e.g. {"ngspice_version",
                                                                     // "39.3"}
  std::optional<Eigen::MatrixXd> row_node_voltages_volt;             // M x N, for one input vector
  std::optional<Eigen::MatrixXd> column_node_voltages_volt;          // M x N, for one input vector
  std::int64_t node_voltage_sample = -1;  // which input vector the node voltages are for
  // Further maps (several vectors, the worst, the mean) -> /node_voltages/<name>/{row,column};
  // read back in name order.
  std::vector<NodeVoltageMap> node_voltage_maps;
  // The problem's input vector that row 0 of /currents is for (spice --first; 0 when the
  // currents start at the problem's first vector) -> attribute first_sample.
  std::int64_t first_sample = 0;
  // Filled by read_crossbar_result; write_crossbar_result always records
  // imcosim::version_string instead.
  std::string imcosim_version;
};

// Writes atomically; always records the attributes imcosim_version, method,
// tolerance_relative, first_sample and one "time_<name>_s" per timing. Throws IoError (runtime)
// for an inconsistent result (node voltages without a valid sample index, maps of different
// shapes or named twice, a reserved or repeated attribute name) or when the file cannot be
// written.
void write_crossbar_result(const std::filesystem::path& path, const CrossbarResult& result);
// Timings and text attributes come back in attribute-name order. A file without first_sample
// (written before it was recorded) reads as 0. Throws IoError (bad_input) naming the file and the
// member for anything in /node_voltages that is not a map this tool writes.
[[nodiscard]] CrossbarResult read_crossbar_result(const std::filesystem::path& path);

}  // namespace imcosim::io
