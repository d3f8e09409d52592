#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "imcosim/spice/worker_pool.hpp"

namespace imcosim::imac {

// Everything that determines the neuron's DC behaviour.
struct NeuronCircuit {
  std::string subcircuit_name;  // "imac_neuron_mtj" or "imac_neuron_behavioural"
  // params: overrides of the subcircuit, SI units, e.g. {"r_p", 8488.26}
  std::vector<std::pair<std::string, double>> parameters;
  double vdd_volt = 0.8;  // neuron supply pins
  double vss_volt = 0.0;
};

// Characterisation grid (volts). Both ranges must hold a whole number of steps.
struct NeuronGrid {
  double v_in_min_volt = -0.9, v_in_max_volt = 0.9;    // neuron input range swept
  double v_out_min_volt = -0.1, v_out_max_volt = 0.9;  // output pin voltage range swept
  double step_volt = 0.005;
};

// Number of points along each axis of a grid; throws ImacError (bad_input) unless the step is
// positive and both ranges are non-empty, finite and a whole number of steps long.
struct NeuronGridPoints {
  Eigen::Index v_in_points;
  Eigen::Index v_out_points;
};
NeuronGridPoints neuron_grid_points(const NeuronGrid& grid);

// DC characteristic of a neuron: with the input pin held at v_in and the output pin held at v_out
// by ideal sources, the current flowing OUT of the output pin (into the load), the current drawn
// from the vdd supply and the current flowing into the input pin, all in amperes, tabulated on
// the grid (row i: v_in = v_in_min + i step; column j: v_out = v_out_min + j step).
//
// Between grid points the currents are interpolated by tensor-product cubic convolution
// (Catmull-Rom): it passes through the samples, its value and first derivatives are continuous
// (Newton iterations see no kinks at grid lines) and it reproduces quadratics exactly. On a 5 mV
// grid of imac_neuron_mtj it reproduces ngspice operating points of the neuron driving
// resistive loads, and its open-circuit output, to within 30 microvolts.
class NeuronTable {
 public:
  // Matrices are [v_in points][v_out points]; throws ImacError (bad_input) on an invalid grid,
  // shapes that do not match it, or non-finite currents.
  NeuronTable(NeuronCircuit circuit, NeuronGrid grid, Eigen::MatrixXd output_current_ampere,
              Eigen::MatrixXd supply_current_ampere, Eigen::MatrixXd input_current_ampere);

  // An interpolated current (A) and its partial derivatives (A/V).
  struct Sample {
    double value;
    double d_dv_in;
    double d_dv_out;
  };
  // Queries outside the grid throw ImacError (bad_input) naming the value and the range.
  [[nodiscard]] Sample output_current(double v_in_volt, double v_out_volt) const;  // out of `out`
  [[nodiscard]] Sample supply_current(double v_in_volt, double v_out_volt) const;  // from vdd
  [[nodiscard]] Sample input_current(double v_in_volt, double v_out_volt) const;   // into `in`

  // v_out with zero load current (output open), by solving output_current == 0 (the output
  // current decreases monotonically with v_out). Throws ImacError (runtime) when the output
  // range of the grid does not contain the zero.
  [[nodiscard]] double open_circuit_output_volt(double v_in_volt) const;

  [[nodiscard]] const NeuronCircuit& circuit() const noexcept { return circuit_; }
  [[nodiscard]] const NeuronGrid& grid() const noexcept { return grid_; }
  // The tabulated samples, [v_in points][v_out points].
  [[nodiscard]] const Eigen::MatrixXd& output_current_ampere() const noexcept {
    return output_current_ampere_;
  }
  [[nodiscard]] const Eigen::MatrixXd& supply_current_ampere() const noexcept {
    return supply_current_ampere_;
  }
  [[nodiscard]] const Eigen::MatrixXd& input_current_ampere() const noexcept {
    return input_current_ampere_;
  }

  // Stable hash (16 hex digits) of the subcircuit and model text, the circuit, the grid and the
  // ngspice version: the cache key.
  [[nodiscard]] std::string key() const;

 private:
  [[nodiscard]] Sample interpolate(const Eigen::MatrixXd& samples, double v_in_volt,
                                   double v_out_volt) const;

  NeuronCircuit circuit_;
  NeuronGrid grid_;
  Eigen::MatrixXd output_current_ampere_;
  Eigen::MatrixXd supply_current_ampere_;
  Eigen::MatrixXd input_current_ampere_;
};

// The cache key of a circuit characterised on a grid (what NeuronTable::key() returns).
// Throws ImacError (bad_input) for an unknown subcircuit.
std::string neuron_table_key(const NeuronCircuit& circuit, const NeuronGrid& grid);

// The ngspice deck (title first, ".end" last) and the dc command that characterise `circuit` on
// `grid`: the shipped model card and subcircuit inlined, ideal sources vin, vout, vdd, vss.
struct NeuronCharacterisationDeck {
  std::vector<std::string> netlist_lines;
  std::string dc_command;
};
NeuronCharacterisationDeck neuron_characterisation_deck(const NeuronCircuit& circuit,
                                                        const NeuronGrid& grid);

// Characterise by ngspice DC sweep in a worker of `pool` (one job: nested `dc` sweep of the
// output source inside the input source sweep, vectors i(vout), i(vdd), i(vin)), or load from
// cache_directory/neuron-<key>.h5 when present; writes the cache atomically (io::AtomicFile),
// creating the directory if needed. Throws ImacError/SpiceError/IoError with clear messages; a
// corrupt or mismatching cache file is recomputed and replaced.
NeuronTable characterise_neuron(spice::WorkerPool& pool, const NeuronCircuit& circuit,
                                const NeuronGrid& grid,
                                const std::filesystem::path& cache_directory);

}  // namespace imcosim::imac
