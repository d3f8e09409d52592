#include "imcosim/imac/neuron_table.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <utility>

#include "imcosim/imac/error.hpp"

namespace imcosim::imac {
namespace {

std::string volt_text(double v_volt) {
  std::ostringstream text;
  text.precision(9);
  text << v_volt << " V";
  return text.str();
}

// Points of one grid axis; throws unless [min, max] holds a whole number (>= 1) of steps.
Eigen::Index axis_points(const char* axis, double min_volt, double max_volt, double step_volt) {
  if (!std::isfinite(min_volt) || !std::isfinite(max_volt) || !(max_volt > min_volt)) {
    throw ImacError(ErrorKind::bad_input, std::string("neuron grid: the ") + axis + " range [" +
                                              volt_text(min_volt) + ", " + volt_text(max_volt) +
                                              "] is empty or not finite");
  }
  const double steps = (max_volt - min_volt) / step_volt;
  const double whole_steps = std::round(steps);
  if (std::abs(steps - whole_steps) > 1e-6) {
    throw ImacError(ErrorKind::bad_input, std::string("neuron grid: the ") + axis + " range [" +
                                              volt_text(min_volt) + ", " + volt_text(max_volt) +
                                              "] is not a whole number of steps of " +
                                              volt_text(step_volt));
  }
  return static_cast<Eigen::Index>(whole_steps) + 1;
}

void require_shape(const char* name, const Eigen::MatrixXd& samples, Eigen::Index rows,
                   Eigen::Index cols) {
  if (samples.rows() != rows || samples.cols() != cols) {
    throw ImacError(ErrorKind::bad_input,
                    std::string("neuron table: ") + name + " is " + std::to_string(samples.rows()) +
                        "x" + std::to_string(samples.cols()) + " but the grid has " +
                        std::to_string(rows) + " input x " + std::to_string(cols) +
                        " output points");
  }
  if (!samples.allFinite()) {
    throw ImacError(ErrorKind::bad_input,
                    std::string("neuron table: ") + name + " holds non-finite currents");
  }
}

// Catmull-Rom weights of the samples at offsets -1, 0, 1, 2 from the cell's lower point, at
// fraction u in [0, 1] of the cell, and their derivatives with respect to u.
struct CubicWeights {
  std::array<double, 4> value;
  std::array<double, 4> derivative;
};

CubicWeights catmull_rom(double u) {
  const double u2 = u * u;
  const double u3 = u2 * u;
  return {{0.5 * (-u3 + 2.0 * u2 - u), 0.5 * (3.0 * u3 - 5.0 * u2 + 2.0),
           0.5 * (-3.0 * u3 + 4.0 * u2 + u), 0.5 * (u3 - u2)},
          {0.5 * (-3.0 * u2 + 4.0 * u - 1.0), 0.5 * (9.0 * u2 - 10.0 * u),
           0.5 * (-9.0 * u2 + 8.0 * u + 1.0), 0.5 * (3.0 * u2 - 2.0 * u)}};
}

// Sample (i, j) for i in [-1, rows] and j in [-1, cols]: points one step beyond the table are
// extrapolated quadratically (linearly on a two-point axis), which keeps the boundary cells as
// accurate as the interior ones instead of flattening the curve there.
double extended_sample(const Eigen::MatrixXd& samples, Eigen::Index i, Eigen::Index j) {
  const Eigen::Index rows = samples.rows();
  const Eigen::Index cols = samples.cols();
  if (i < 0 || i >= rows) {
    const Eigen::Index edge = i < 0 ? 0 : rows - 1;
    const Eigen::Index inward = i < 0 ? 1 : -1;
    if (rows < 3) {
      return 2.0 * extended_sample(samples, edge, j) - extended_sample(samples, edge + inward, j);
    }
    return 3.0 * extended_sample(samples, edge, j) -
           3.0 * extended_sample(samples, edge + inward, j) +
           extended_sample(samples, edge + 2 * inward, j);
  }
  if (j < 0 || j >= cols) {
    const Eigen::Index edge = j < 0 ? 0 : cols - 1;
    const Eigen::Index inward = j < 0 ? 1 : -1;
    if (cols < 3) {
      return 2.0 * samples(i, edge) - samples(i, edge + inward);
    }
    return 3.0 * samples(i, edge) - 3.0 * samples(i, edge + inward) + samples(i, edge + 2 * inward);
  }
  return samples(i, j);
}

// The cell holding v on an axis of `points` samples, and the fraction of the cell; throws
// when v lies outside the axis (a rounding error's worth of slack is allowed at the ends).
std::pair<Eigen::Index, double> locate(const char* axis, double v_volt, double min_volt,
                                       double max_volt, double step_volt, Eigen::Index points) {
  const double slack_volt = 1e-9 * step_volt;
  if (!(v_volt >= min_volt - slack_volt && v_volt <= max_volt + slack_volt)) {
    throw ImacError(ErrorKind::bad_input,
                    std::string("neuron table: ") + axis + " " + volt_text(v_volt) +
                        " is outside the characterised range [" + volt_text(min_volt) + ", " +
                        volt_text(max_volt) + "]");
  }
  const double t = (v_volt - min_volt) / step_volt;
  const auto cell =
      std::clamp(static_cast<Eigen::Index>(std::floor(t)), Eigen::Index{0}, points - 2);
  return {cell, t - static_cast<double>(cell)};
}

}  // namespace

NeuronGridPoints neuron_grid_points(const NeuronGrid& grid) {
  if (!std::isfinite(grid.step_volt) || !(grid.step_volt > 0.0)) {
    throw ImacError(ErrorKind::bad_input,
                    "neuron grid: the step " + volt_text(grid.step_volt) + " is not positive");
  }
  return {axis_points("input", grid.v_in_min_volt, grid.v_in_max_volt, grid.step_volt),
          axis_points("output", grid.v_out_min_volt, grid.v_out_max_volt, grid.step_volt)};
}

NeuronTable::NeuronTable(NeuronCircuit circuit, NeuronGrid grid,
                         Eigen::MatrixXd output_current_ampere,
                         Eigen::MatrixXd supply_current_ampere,
                         Eigen::MatrixXd input_current_ampere)
    : circuit_(std::move(circuit)),
      grid_(grid),
      output_current_ampere_(std::move(output_current_ampere)),
      supply_current_ampere_(std::move(supply_current_ampere)),
      input_current_ampere_(std::move(input_current_ampere)) {
  const auto [rows, cols] = neuron_grid_points(grid_);
  require_shape("the output current", output_current_ampere_, rows, cols);
  require_shape("the supply current", supply_current_ampere_, rows, cols);
  require_shape("the input current", input_current_ampere_, rows, cols);
}

NeuronTable::Sample NeuronTable::interpolate(const Eigen::MatrixXd& samples, double v_in_volt,
                                             double v_out_volt) const {
  const auto [row, u] = locate("input", v_in_volt, grid_.v_in_min_volt, grid_.v_in_max_volt,
                               grid_.step_volt, samples.rows());
  const auto [col, w] = locate("output", v_out_volt, grid_.v_out_min_volt, grid_.v_out_max_volt,
                               grid_.step_volt, samples.cols());
  const CubicWeights along_in = catmull_rom(u);
  const CubicWeights along_out = catmull_rom(w);
  Sample sample{0.0, 0.0, 0.0};
  for (Eigen::Index a = 0; a < 4; ++a) {
    for (Eigen::Index b = 0; b < 4; ++b) {
      const double f = extended_sample(samples, row - 1 + a, col - 1 + b);
      const auto ua = static_cast<std::size_t>(a);
      const auto ub = static_cast<std::size_t>(b);
      sample.value += along_in.value[ua] * along_out.value[ub] * f;
      sample.d_dv_in += along_in.derivative[ua] * along_out.value[ub] * f;
      sample.d_dv_out += along_in.value[ua] * along_out.derivative[ub] * f;
    }
  }
  sample.d_dv_in /= grid_.step_volt;
  sample.d_dv_out /= grid_.step_volt;
  return sample;
}

NeuronTable::Sample NeuronTable::output_current(double v_in_volt, double v_out_volt) const {
  return interpolate(output_current_ampere_, v_in_volt, v_out_volt);
}

NeuronTable::Sample NeuronTable::supply_current(double v_in_volt, double v_out_volt) const {
  return interpolate(supply_current_ampere_, v_in_volt, v_out_volt);
}

NeuronTable::Sample NeuronTable::input_current(double v_in_volt, double v_out_volt) const {
  return interpolate(input_current_ampere_, v_in_volt, v_out_volt);
}

double NeuronTable::open_circuit_output_volt(double v_in_volt) const {
  // Newton's method kept inside a bracket [low, high] with output current > 0 at low and < 0 at
  // high; a step that leaves the bracket or meets a non-negative slope is replaced by bisection.
  double low_volt = grid_.v_out_min_volt;
  double high_volt = grid_.v_out_max_volt;
  const double current_at_low = output_current(v_in_volt, low_volt).value;
  const double current_at_high = output_current(v_in_volt, high_volt).value;
  if (!(current_at_low > 0.0 && current_at_high < 0.0)) {
    throw ImacError(ErrorKind::runtime,
                    "neuron table: at input " + volt_text(v_in_volt) +
                        " the open-circuit output lies outside the characterised output range [" +
                        volt_text(low_volt) + ", " + volt_text(high_volt) + "]");
  }
  double v_volt = 0.5 * (low_volt + high_volt);
  constexpr double kTolerance_volt = 1e-12;
  for (int iteration = 0; iteration < 200 && high_volt - low_volt > kTolerance_volt; ++iteration) {
    const Sample sample = output_current(v_in_volt, v_volt);
    if (sample.value > 0.0) {
      low_volt = v_volt;
    } else if (sample.value < 0.0) {
      high_volt = v_volt;
    } else {
      return v_volt;
    }
    const double newton_volt =
        sample.d_dv_out < 0.0 ? v_volt - sample.value / sample.d_dv_out : low_volt - 1.0;
    const double previous_volt = v_volt;
    v_volt = newton_volt > low_volt && newton_volt < high_volt ? newton_volt
                                                               : 0.5 * (low_volt + high_volt);
    if (std::abs(v_volt - previous_volt) < kTolerance_volt) {
      break;
    }
  }
  return v_volt;
}

std::string NeuronTable::key() const { return neuron_table_key(circuit_, grid_); }

}  // namespace imcosim::imac
